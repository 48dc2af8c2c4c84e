/**
 * SqliteStore's moderation (see ModerationStore in moderation.ts): held messages and the word
 * list. Each write is one immediate transaction; better-sqlite3 runs it whole between two
 * group-commit batches, so a `seq` taken here never races an append.
 */
import { AppError } from '../../errors.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { HELD_COLUMNS, paged, toHeld, type HeldRow } from '../safeguarding-rows.js';
import type { HeldMessage, HoldResult, Message, ModerationStore, NewHeldMessage, Paged, WordListChange } from '../types.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

export class SqliteModeration implements ModerationStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      senderInActivePair: p('SELECT paused FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)'),
      deliveredByClientId: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND sender_id = ? AND client_id = ?`),
      heldByClientId: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = ? AND sender_id = ? AND client_id = ?`),
      insertHeld: p(
        `INSERT INTO held_messages (pair_id, sender_id, content, client_id, created_at, rule, matched) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${HELD_COLUMNS}`,
      ),
      heldById: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = ?`),
      pending: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE status = 'held' AND id > ? ORDER BY id LIMIT ?`),
      insertMessage: p(
        `INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, kind) VALUES (?, ?, ?, ?, ?, ?, 'message') RETURNING ${MESSAGE_COLUMNS}`,
      ),
      decide: p(
        `UPDATE held_messages SET status = ?, reason = ?, decided_by = ?, decided_at = ?, message_id = ? WHERE id = ? AND status = 'held' RETURNING ${HELD_COLUMNS}`,
      ),
      ownUndelivered: p(
        `SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = ? AND sender_id = ? AND status <> 'approved' AND created_at >= ? AND created_at < ? ORDER BY id`,
      ),
      words: p('SELECT phrase, listed, changed_at FROM moderation_words ORDER BY changed_at, phrase'),
      setWord: p(
        'INSERT INTO moderation_words (phrase, listed, changed_at) VALUES (?, ?, ?) ON CONFLICT (phrase) DO UPDATE SET listed = excluded.listed, changed_at = excluded.changed_at',
      ),
    };
  }

  async hold(input: NewHeldMessage): Promise<HoldResult> {
    const clientId = input.clientId ?? null;
    return transaction(this.context.db, (tx): HoldResult => {
      const pair = this.sql.senderInActivePair.get(input.pairId, input.senderId, input.senderId) as { paused: number } | undefined;
      if (!pair) throw new AppError('not_matched');
      if (clientId !== null) {
        const delivered = this.sql.deliveredByClientId.get(input.pairId, input.senderId, clientId) as MessageRow | undefined;
        if (delivered) return { message: toMessage(delivered), created: false };
        const held = this.sql.heldByClientId.get(input.pairId, input.senderId, clientId) as HeldRow | undefined;
        if (held) return { held: toHeld(held), created: false };
      }
      // A paused pair stores nothing new, held messages included.
      if (pair.paused === 1) throw new AppError('match_paused');
      const row = this.sql.insertHeld.get(input.pairId, input.senderId, input.content, clientId, Date.now(), input.rule, input.matched) as HeldRow;
      this.context.events.write(tx, 'message.held', row.pair_id, { held: row.id });
      const files = this.context.links.link(tx, { id: row.id, pairId: row.pair_id, senderId: row.sender_id, held: true }, input.attachmentIds ?? []);
      return { held: { ...toHeld(row), ...(files.length === 0 ? {} : { attachments: files }) }, created: true };
    });
  }

  async heldById(id: number): Promise<HeldMessage | null> {
    const row = this.sql.heldById.get(id) as HeldRow | undefined;
    return row ? toHeld(row) : null;
  }

  async heldByClientId(pairId: number, senderId: number, clientId: string): Promise<HeldMessage | null> {
    const row = this.sql.heldByClientId.get(pairId, senderId, clientId) as HeldRow | undefined;
    return row ? toHeld(row) : null;
  }

  async pending(limit: number, afterId = 0): Promise<Paged<HeldMessage>> {
    return paged(this.sql.pending.all(afterId, limit + 1) as HeldRow[], limit, toHeld);
  }

  async approve(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }> {
    return transaction(this.context.db, (tx) => {
      const held = this.sql.heldById.get(id) as HeldRow | undefined;
      if (!held || held.status !== 'held' || held.edit_of !== null) throw new AppError('not_found');
      const seq = this.context.seqs.nextFromSender(tx, held.pair_id, held.sender_id);
      if (seq === null) throw new AppError('not_matched');
      const now = Date.now();
      const message = this.sql.insertMessage.get(held.pair_id, seq, held.sender_id, held.content, now, held.client_id) as MessageRow;
      const decided = this.sql.decide.get('approved', null, actor, now, message.id, id) as HeldRow;
      this.context.events.messageEvents(tx, message.pair_id, message.sender_id, message.id);
      this.context.links.approve(tx, id, message.id);
      const approved = toHeld(decided);
      return { held: approved, message: { ...toMessage(message), ...(approved.attachments ? { attachments: approved.attachments } : {}) } };
    });
  }

  async reject(id: number, actor: string, reason: string): Promise<HeldMessage> {
    const row = this.sql.decide.get('rejected', reason, actor, Date.now(), null, id) as HeldRow | undefined;
    if (!row) throw new AppError('not_found');
    return toHeld(row);
  }

  async ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]> {
    const rows = this.sql.ownUndelivered.all(pairId, senderId, from?.getTime() ?? 0, to?.getTime() ?? Number.MAX_SAFE_INTEGER) as HeldRow[];
    return rows.map(toHeld);
  }

  async wordListChanges(): Promise<WordListChange[]> {
    const rows = this.sql.words.all() as Array<{ phrase: string; listed: number; changed_at: number }>;
    return rows.map((row) => ({ phrase: row.phrase, listed: row.listed === 1, changedAt: new Date(row.changed_at) }));
  }

  async changeWordList(add: readonly string[], remove: readonly string[]): Promise<void> {
    const now = Date.now();
    transaction(this.context.db, () => {
      for (const phrase of add) this.sql.setWord.run(phrase, 1, now);
      for (const phrase of remove) this.sql.setWord.run(phrase, 0, now);
    });
  }
}
