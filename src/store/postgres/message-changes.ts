/**
 * PostgresStore's changes to messages (see MessageChangeStore in message-changes.ts): each in
 * one transaction that holds the pair row's lock, the lock every append batch takes, so a
 * change's checks and its `seq` are in step with the pair's messages on every instance.
 */
import { previewOf } from '../message-types.js';
import {
  CHANGE_COLUMNS,
  changeRefusal,
  type ChangeRule,
  groupReactions,
  groupVersions,
  toChange,
  type ChangeRow,
  type ReactionRow,
  type VersionRow,
} from '../change-rows.js';
import type { ChangeKind, ChangeResult, DeleteInput, EditInput, MessageChange, MessageChangeStore, MessageVersion, ReactInput } from '../message-changes.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import { forgetMessage } from './attachment-links.js';
import { HELD_COLUMNS, toHeld, type HeldRow } from '../safeguarding-rows.js';
import { AppError } from '../../errors.js';
import type { HeldMessage } from '../moderation.js';
import type { PostgresContext } from './context.js';
import { inTransaction, rowsOf } from './pool.js';
import { LOCK_PAIR, type LockedPair } from './seq.js';
import type { PostgresTx } from './tx.js';

const UNDER_OPEN_REPORT = 'EXISTS (SELECT 1 FROM reports r WHERE r.message_id = messages.id AND r.resolved_at IS NULL)';
const MESSAGE = `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1 AND pair_id = $2`;
const KEEP_VERSION = 'INSERT INTO message_versions (message_id, content, cause, replaced_at) VALUES ($1, $2, $3, now())';
const PREVIEWS = 'UPDATE messages SET reply_preview = $1 WHERE reply_to = $2';
/** The change with the pair's next `seq` (the pair row is locked). */
const INSERT_CHANGE = `
  WITH bumped AS (UPDATE pairs SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq)
  INSERT INTO message_changes (pair_id, seq, message_id, actor_id, kind, content, created_at)
  SELECT $1, last_seq, $2, $3, $4, $5, now() FROM bumped
  RETURNING ${CHANGE_COLUMNS}`;

type Rule = Omit<ChangeRule, 'now'>;

export class PostgresMessageChanges implements MessageChangeStore {
  constructor(private readonly context: PostgresContext) {}

  async edit(input: EditInput): Promise<ChangeResult> {
    return inTransaction(this.context.pool(), async (tx) => {
      const before = await this.checked(tx, input, { own: true, windowMs: input.windowMs });
      return applyEdit(tx, before, input.actorId, input.content);
    });
  }

  async holdEdit(input: EditInput & { rule: string; matched: string }): Promise<HeldMessage> {
    return inTransaction(this.context.pool(), async (tx) => {
      await this.checked(tx, input, { own: true, windowMs: input.windowMs });
      const [row] = await rowsOf<HeldRow>(
        tx,
        `INSERT INTO held_messages (pair_id, sender_id, content, created_at, rule, matched, edit_of) VALUES ($1, $2, $3, now(), $4, $5, $6) RETURNING ${HELD_COLUMNS}`,
        [input.pairId, input.actorId, input.content, input.rule, input.matched, input.messageId],
      );
      return toHeld(row!);
    });
  }

  async approveEdit(heldId: number, actor: string): Promise<ChangeResult & { held: HeldMessage }> {
    return inTransaction(this.context.pool(), async (tx) => {
      const [held] = await rowsOf<HeldRow>(
        tx,
        `SELECT ${HELD_COLUMNS} FROM held_messages WHERE id = $1 AND status = 'held' AND edit_of IS NOT NULL FOR UPDATE`,
        [heldId],
      );
      if (!held) throw new AppError('not_found');
      // Paused or not, as an approved message: the sender asked while they could.
      const before = await this.checked(
        tx,
        { pairId: Number(held.pair_id), messageId: Number(held.edit_of), actorId: Number(held.sender_id) },
        { own: true, anyPause: true },
      );
      const result = await applyEdit(tx, before, Number(held.sender_id), held.content);
      const [decided] = await rowsOf<HeldRow>(
        tx,
        `UPDATE held_messages SET status = 'approved', decided_by = $2, decided_at = now(), message_id = edit_of WHERE id = $1 RETURNING ${HELD_COLUMNS}`,
        [heldId, actor],
      );
      return { ...result, held: toHeld(decided!) };
    });
  }

  async delete(input: DeleteInput): Promise<ChangeResult> {
    return inTransaction(this.context.pool(), async (tx) => {
      const before = await this.checked(tx, input, { own: true });
      if (input.keep) await rowsOf(tx, KEEP_VERSION, [before.id, before.content, 'delete']);
      else await rowsOf(tx, 'DELETE FROM message_versions WHERE message_id = $1', [before.id]);
      // Its files go and it leaves the search index.
      await forgetMessage(tx, before.id);
      // A deleted message is read: it no longer counts as unread anywhere.
      const [row] = await rowsOf<MessageRow>(
        tx,
        `UPDATE messages SET content = '', deleted_at = now(), is_read = true WHERE id = $1 RETURNING ${MESSAGE_COLUMNS}`,
        [before.id],
      );
      await rowsOf(tx, PREVIEWS, ['', before.id]);
      await rowsOf(tx, "UPDATE message_changes SET content = '' WHERE message_id = $1 AND kind = 'edit'", [before.id]);
      return { message: toMessage(row!), change: await record(tx, input, 'delete', '') };
    });
  }

  async react(input: ReactInput): Promise<MessageChange | null> {
    return inTransaction(this.context.pool(), async (tx) => {
      await this.checked(tx, input, { own: false });
      const changed = input.on
        ? await tx.query('INSERT INTO message_reactions (message_id, user_id, emoji, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING', [
            input.messageId,
            input.actorId,
            input.emoji,
          ])
        : await tx.query('DELETE FROM message_reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3', [input.messageId, input.actorId, input.emoji]);
      if (changed.rowCount === 0) return null;
      return record(tx, input, input.on ? 'react' : 'unreact', input.emoji);
    });
  }

  async after(pairId: number, afterSeq: number, limit: number): Promise<MessageChange[]> {
    const rows = await rowsOf<ChangeRow>(
      this.context.pool(),
      `SELECT ${CHANGE_COLUMNS} FROM message_changes WHERE pair_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [pairId, afterSeq, limit],
    );
    return rows.map(toChange);
  }

  async reactions(messageIds: readonly number[]): Promise<Map<number, Map<string, number[]>>> {
    if (messageIds.length === 0) return new Map();
    const rows = await rowsOf<ReactionRow>(
      this.context.pool(),
      'SELECT message_id, user_id, emoji FROM message_reactions WHERE message_id = ANY($1::bigint[]) ORDER BY created_at, user_id',
      [messageIds],
    );
    return groupReactions(rows);
  }

  async versions(messageIds: readonly number[]): Promise<Map<number, MessageVersion[]>> {
    if (messageIds.length === 0) return new Map();
    const rows = await rowsOf<VersionRow>(
      this.context.pool(),
      'SELECT message_id, content, cause, replaced_at FROM message_versions WHERE message_id = ANY($1::bigint[]) ORDER BY id',
      [messageIds],
    );
    return groupVersions(rows);
  }

  async eraseDeletedBefore(cutoff: Date): Promise<number> {
    const rows = await rowsOf<{ message_id: number }>(
      this.context.pool(),
      `DELETE FROM message_versions WHERE message_id IN (SELECT id FROM messages WHERE deleted_at < $1 AND NOT ${UNDER_OPEN_REPORT}) RETURNING message_id`,
      [cutoff],
    );
    return new Set(rows.map((row) => Number(row.message_id))).size;
  }

  /** Locks the pair, then reads the message: as it is once the change may be made; throws the refusal otherwise. */
  private async checked(tx: PostgresTx, input: { pairId: number; messageId: number; actorId: number }, rule: Rule): Promise<MessageRow> {
    const [pair] = await rowsOf<LockedPair>(tx, LOCK_PAIR, [input.pairId]);
    const [message] = await rowsOf<MessageRow>(tx, MESSAGE, [input.messageId, input.pairId]);
    const refusal = changeRefusal(pair, message, input.actorId, { ...rule, now: Date.now() });
    if (refusal) throw refusal;
    return message!;
  }
}

async function applyEdit(tx: PostgresTx, before: MessageRow, actorId: number, content: string): Promise<ChangeResult> {
  await rowsOf(tx, KEEP_VERSION, [before.id, before.content, 'edit']);
  const [row] = await rowsOf<MessageRow>(tx, `UPDATE messages SET content = $1, edited_at = now() WHERE id = $2 RETURNING ${MESSAGE_COLUMNS}`, [
    content,
    before.id,
  ]);
  await rowsOf(tx, PREVIEWS, [previewOf(content), before.id]);
  return { message: toMessage(row!), change: await record(tx, { pairId: Number(before.pair_id), messageId: Number(before.id), actorId }, 'edit', content) };
}

async function record(
  tx: PostgresTx,
  input: { pairId: number; messageId: number; actorId: number },
  kind: ChangeKind,
  content: string,
): Promise<MessageChange> {
  const [row] = await rowsOf<ChangeRow>(tx, INSERT_CHANGE, [input.pairId, input.messageId, input.actorId, kind, content]);
  return toChange(row!);
}
