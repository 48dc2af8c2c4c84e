/** SqliteStore's changes to messages (see MessageChangeStore in message-changes.ts): each in one immediate transaction. */
import { previewOf } from '../message-types.js';
import {
  CHANGE_COLUMNS,
  changeRefusal,
  type ChangeRule,
  groupReactions,
  groupVersions,
  toChange,
  type ChangePairRow,
  type ChangeRow,
  type ReactionRow,
  type VersionRow,
} from '../change-rows.js';
import type { ChangeKind, ChangeResult, DeleteInput, EditInput, MessageChange, MessageChangeStore, MessageVersion, ReactInput } from '../message-changes.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { HELD_COLUMNS, toHeld, type HeldRow } from '../safeguarding-rows.js';
import { AppError } from '../../errors.js';
import type { HeldMessage } from '../moderation.js';
import type { SqliteContext } from './context.js';
import { transaction, type SqliteTx } from './tx.js';

const UNDER_OPEN_REPORT = 'EXISTS (SELECT 1 FROM reports r WHERE r.message_id = messages.id AND r.resolved_at IS NULL)';

export class SqliteMessageChanges implements MessageChangeStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      pair: p('SELECT active, paused, mentor_id, mentee_id FROM pairs WHERE id = ?'),
      message: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ? AND pair_id = ?`),
      keepVersion: p('INSERT INTO message_versions (message_id, content, cause, replaced_at) VALUES (?, ?, ?, ?)'),
      dropVersions: p('DELETE FROM message_versions WHERE message_id = ?'),
      edit: p(`UPDATE messages SET content = ?, edited_at = ? WHERE id = ? RETURNING ${MESSAGE_COLUMNS}`),
      // A deleted message is read: it no longer counts as unread anywhere.
      delete: p(`UPDATE messages SET content = '', deleted_at = ?, is_read = 1 WHERE id = ? RETURNING ${MESSAGE_COLUMNS}`),
      previews: p('UPDATE messages SET reply_preview = ? WHERE reply_to = ?'),
      blankEdits: p("UPDATE message_changes SET content = '' WHERE message_id = ? AND kind = 'edit'"),
      react: p('INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING'),
      unreact: p('DELETE FROM message_reactions WHERE message_id = ? AND user_id = ? AND emoji = ?'),
      insertChange: p(`INSERT INTO message_changes (pair_id, seq, message_id, actor_id, kind, content, created_at)
                       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${CHANGE_COLUMNS}`),
      after: p(`SELECT ${CHANGE_COLUMNS} FROM message_changes WHERE pair_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      reactions: p('SELECT message_id, user_id, emoji FROM message_reactions WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, rowid'),
      versions: p('SELECT message_id, content, cause, replaced_at FROM message_versions WHERE message_id IN (SELECT value FROM json_each(?)) ORDER BY id'),
      hold: p(
        `INSERT INTO held_messages (pair_id, sender_id, content, created_at, rule, matched, edit_of) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING ${HELD_COLUMNS}`,
      ),
      heldEdit: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = ? AND status = 'held' AND edit_of IS NOT NULL`),
      approve: p(`UPDATE held_messages SET status = 'approved', decided_by = ?, decided_at = ?, message_id = edit_of WHERE id = ? RETURNING ${HELD_COLUMNS}`),
      eraseDeleted: p(`DELETE FROM message_versions WHERE message_id IN (
                         SELECT id FROM messages WHERE deleted_at < ? AND NOT ${UNDER_OPEN_REPORT}) RETURNING message_id`),
    };
  }

  async edit(input: EditInput): Promise<ChangeResult> {
    return transaction(this.context.db, (tx) => {
      const now = Date.now();
      const before = this.checked(input.pairId, input.messageId, input.actorId, { own: true, windowMs: input.windowMs, now });
      return this.applyEdit(tx, before, input.actorId, input.content, now);
    });
  }

  async holdEdit(input: EditInput & { rule: string; matched: string }): Promise<HeldMessage> {
    return transaction(this.context.db, () => {
      const now = Date.now();
      this.checked(input.pairId, input.messageId, input.actorId, { own: true, windowMs: input.windowMs, now });
      return toHeld(this.sql.hold.get(input.pairId, input.actorId, input.content, now, input.rule, input.matched, input.messageId) as HeldRow);
    });
  }

  async approveEdit(heldId: number, actor: string): Promise<ChangeResult & { held: HeldMessage }> {
    return transaction(this.context.db, (tx) => {
      const held = this.sql.heldEdit.get(heldId) as HeldRow | undefined;
      if (!held) throw new AppError('not_found');
      const now = Date.now();
      // Paused or not, as an approved message: the sender asked while they could.
      const before = this.checked(held.pair_id, held.edit_of!, held.sender_id, { own: true, now, anyPause: true });
      const result = this.applyEdit(tx, before, held.sender_id, held.content, now);
      return { ...result, held: toHeld(this.sql.approve.get(actor, now, heldId) as HeldRow) };
    });
  }

  private applyEdit(tx: SqliteTx, before: MessageRow, actorId: number, content: string, now: number): ChangeResult {
    this.sql.keepVersion.run(before.id, before.content, 'edit', now);
    const message = toMessage(this.sql.edit.get(content, now, before.id) as MessageRow);
    this.sql.previews.run(previewOf(content), before.id);
    return { message, change: this.record(tx, { pairId: before.pair_id, messageId: before.id, actorId }, 'edit', content, now) };
  }

  async delete(input: DeleteInput): Promise<ChangeResult> {
    return transaction(this.context.db, (tx) => {
      const now = Date.now();
      const before = this.checked(input.pairId, input.messageId, input.actorId, { own: true, now });
      if (input.keep) this.sql.keepVersion.run(before.id, before.content, 'delete', now);
      else this.sql.dropVersions.run(before.id);
      // Its files go and it leaves the search index, before its text is emptied (the index's delete needs the indexed text).
      this.context.links.forget(tx, before.id);
      const message = toMessage(this.sql.delete.get(now, before.id) as MessageRow);
      this.sql.previews.run('', before.id);
      this.sql.blankEdits.run(before.id);
      return { message, change: this.record(tx, input, 'delete', '', now) };
    });
  }

  async react(input: ReactInput): Promise<MessageChange | null> {
    return transaction(this.context.db, (tx) => {
      const now = Date.now();
      this.checked(input.pairId, input.messageId, input.actorId, { own: false, now });
      const changed = input.on
        ? this.sql.react.run(input.messageId, input.actorId, input.emoji, now).changes
        : this.sql.unreact.run(input.messageId, input.actorId, input.emoji).changes;
      if (changed === 0) return null;
      return this.record(tx, input, input.on ? 'react' : 'unreact', input.emoji, now);
    });
  }

  async after(pairId: number, afterSeq: number, limit: number): Promise<MessageChange[]> {
    return (this.sql.after.all(pairId, afterSeq, limit) as ChangeRow[]).map(toChange);
  }

  async reactions(messageIds: readonly number[]): Promise<Map<number, Map<string, number[]>>> {
    if (messageIds.length === 0) return new Map();
    return groupReactions(this.sql.reactions.all(JSON.stringify(messageIds)) as ReactionRow[]);
  }

  async versions(messageIds: readonly number[]): Promise<Map<number, MessageVersion[]>> {
    if (messageIds.length === 0) return new Map();
    return groupVersions(this.sql.versions.all(JSON.stringify(messageIds)) as VersionRow[]);
  }

  async eraseDeletedBefore(cutoff: Date): Promise<number> {
    const rows = transaction(this.context.db, () => this.sql.eraseDeleted.all(cutoff.getTime()) as { message_id: number }[]);
    return new Set(rows.map((row) => row.message_id)).size;
  }

  /** The message as it is, once the change may be made; throws the refusal otherwise. */
  private checked(pairId: number, messageId: number, actorId: number, rule: ChangeRule): MessageRow {
    const pair = this.sql.pair.get(pairId) as ChangePairRow | undefined;
    const message = this.sql.message.get(messageId, pairId) as MessageRow | undefined;
    const refusal = changeRefusal(pair, message, actorId, rule);
    if (refusal) throw refusal;
    return message!;
  }

  /** The change, with the pair's next `seq` (the checks above ran in this transaction). */
  private record(tx: SqliteTx, input: { pairId: number; messageId: number; actorId: number }, kind: ChangeKind, content: string, now: number): MessageChange {
    const seq = this.context.seqs.next(tx, input.pairId)!;
    return toChange(this.sql.insertChange.get(input.pairId, seq, input.messageId, input.actorId, kind, content, now) as ChangeRow);
  }
}
