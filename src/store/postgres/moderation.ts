/**
 * PostgresStore's moderation (see ModerationStore in moderation.ts): held messages and the
 * word list. An approval takes its `seq` under the pair row's lock (seq.ts), so it never
 * races an append on any instance.
 */
import { AppError } from '../../errors.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { HELD_COLUMNS, paged, toHeld, type HeldRow } from '../safeguarding-rows.js';
import type { HeldMessage, HoldResult, Message, ModerationStore, NewHeldMessage, Paged, WordListChange } from '../types.js';
import { approveFiles, linkFiles } from './attachment-links.js';
import { inTransaction, rowsOf } from './pool.js';
import { INSERT_WITH_NEXT_SEQ, LOCK_PAIR, type LockedPair } from './seq.js';
import type { PostgresContext } from './context.js';

export class PostgresModeration implements ModerationStore {
  constructor(private readonly context: PostgresContext) {}

  async hold(input: NewHeldMessage): Promise<HoldResult> {
    const clientId = input.clientId ?? null;
    return inTransaction(this.context.pool(), async (tx) => {
      const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [input.pairId]);
      if (!pair?.active || (pair.mentor_id !== input.senderId && pair.mentee_id !== input.senderId)) throw new AppError('not_matched');
      if (clientId !== null) {
        const [delivered] = await rowsOf<MessageRow>(tx, `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`, [
          input.pairId,
          input.senderId,
          clientId,
        ]);
        if (delivered) return { message: toMessage(delivered), created: false };
        const [held] = await rowsOf<HeldRow>(tx, `SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`, [
          input.pairId,
          input.senderId,
          clientId,
        ]);
        if (held) return { held: toHeld(held), created: false };
      }
      // A paused pair stores nothing new, held messages included.
      if (pair.paused) throw new AppError('match_paused');
      const [row] = await rowsOf<HeldRow>(
        tx,
        `
        INSERT INTO held_messages (pair_id, sender_id, content, client_id, created_at, rule, matched) VALUES ($1, $2, $3, $4, now(), $5, $6)
        RETURNING ${HELD_COLUMNS}`,
        [input.pairId, input.senderId, input.content, clientId, input.rule, input.matched],
      );
      await this.context.events.write(tx, 'message.held', row!.pair_id, { held: row!.id });
      const files = await linkFiles(tx, { id: row!.id, pairId: row!.pair_id, senderId: row!.sender_id, held: true }, input.attachmentIds ?? []);
      return { held: { ...toHeld(row!), ...(files.length === 0 ? {} : { attachments: files }) }, created: true };
    });
  }

  async heldById(id: number): Promise<HeldMessage | null> {
    const [row] = await rowsOf<HeldRow>(this.context.pool(), `SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = $1`, [id]);
    return row ? toHeld(row) : null;
  }

  async heldByClientId(pairId: number, senderId: number, clientId: string): Promise<HeldMessage | null> {
    const [row] = await rowsOf<HeldRow>(
      this.context.pool(),
      `SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`,
      [pairId, senderId, clientId],
    );
    return row ? toHeld(row) : null;
  }

  async pending(limit: number, afterId = 0): Promise<Paged<HeldMessage>> {
    const rows = await rowsOf<HeldRow>(
      this.context.pool(),
      `SELECT ${HELD_COLUMNS} FROM held_messages WHERE status = 'held' AND id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit + 1],
    );
    return paged(rows, limit, toHeld);
  }

  async approve(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }> {
    return inTransaction(this.context.pool(), async (tx) => {
      const [held] = await rowsOf<HeldRow>(tx, `SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = $1 FOR UPDATE`, [id]);
      if (!held || held.status !== 'held' || held.edit_of !== null) throw new AppError('not_found');
      const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [held.pair_id]);
      if (!pair?.active) throw new AppError('not_matched');
      const [message] = await rowsOf<MessageRow>(tx, INSERT_WITH_NEXT_SEQ, [held.pair_id, held.sender_id, held.content, held.client_id, 'message']);
      const [decided] = await rowsOf<HeldRow>(
        tx,
        `
        UPDATE held_messages SET status = 'approved', decided_by = $2, decided_at = now(), message_id = $3 WHERE id = $1
        RETURNING ${HELD_COLUMNS}`,
        [id, actor, message!.id],
      );
      await this.context.events.messageEvents(tx, message!);
      await approveFiles(tx, id, message!.id);
      const approved = toHeld(decided!);
      return { held: approved, message: { ...toMessage(message!), ...(approved.attachments ? { attachments: approved.attachments } : {}) } };
    });
  }

  async reject(id: number, actor: string, reason: string): Promise<HeldMessage> {
    const [row] = await rowsOf<HeldRow>(
      this.context.pool(),
      `
      UPDATE held_messages SET status = 'rejected', reason = $3, decided_by = $2, decided_at = now() WHERE id = $1 AND status = 'held'
      RETURNING ${HELD_COLUMNS}`,
      [id, actor, reason],
    );
    if (!row) throw new AppError('not_found');
    return toHeld(row);
  }

  async ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]> {
    const rows = await rowsOf<HeldRow>(
      this.context.pool(),
      `
      SELECT ${HELD_COLUMNS} FROM held_messages
      WHERE pair_id = $1 AND sender_id = $2 AND status <> 'approved' AND ($3::timestamptz IS NULL OR created_at >= $3) AND ($4::timestamptz IS NULL OR created_at < $4)
      ORDER BY id`,
      [pairId, senderId, from, to],
    );
    return rows.map(toHeld);
  }

  async wordListChanges(): Promise<WordListChange[]> {
    const rows = await rowsOf<{ phrase: string; listed: boolean; changed_at: Date }>(
      this.context.pool(),
      'SELECT phrase, listed, changed_at FROM moderation_words ORDER BY changed_at, phrase',
    );
    return rows.map((row) => ({ phrase: row.phrase, listed: row.listed, changedAt: row.changed_at }));
  }

  async changeWordList(add: readonly string[], remove: readonly string[]): Promise<void> {
    const phrases = [...add, ...remove];
    if (phrases.length === 0) return;
    await inTransaction(this.context.pool(), async (tx) => {
      await rowsOf(
        tx,
        `
        INSERT INTO moderation_words (phrase, listed, changed_at)
        SELECT phrase, listed, now() FROM unnest($1::text[], $2::boolean[]) AS change(phrase, listed)
        ON CONFLICT (phrase) DO UPDATE SET listed = excluded.listed, changed_at = excluded.changed_at`,
        [phrases, phrases.map((_, index) => index < add.length)],
      );
    });
  }
}
