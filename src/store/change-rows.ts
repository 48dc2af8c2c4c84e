/** The rows of message changes and versions that both engines read, and their domain objects. */
import { isSet, toDate, type Flag, type Instant, type MessageRow } from './rows.js';
import { AppError } from '../errors.js';
import type { ChangeKind, MessageChange, MessageVersion } from './message-changes.js';

export interface ChangeRow {
  id: number;
  pair_id: number;
  seq: number;
  kind: ChangeKind;
  message_id: number;
  actor_id: number;
  content: string;
  created_at: Instant;
}

export interface VersionRow {
  message_id: number;
  content: string;
  cause: 'edit' | 'delete';
  replaced_at: Instant;
}

export interface ReactionRow {
  message_id: number;
  user_id: number;
  emoji: string;
}

/** The pair's columns a change checks (under the pair's lock on PostgreSQL). */
export interface ChangePairRow {
  active: Flag;
  paused: Flag;
  mentor_id: number;
  mentee_id: number;
}

export const CHANGE_COLUMNS = 'id, pair_id, seq, kind, message_id, actor_id, content, created_at';

export const toChange = (row: ChangeRow): MessageChange => ({
  id: Number(row.id),
  pairId: Number(row.pair_id),
  seq: Number(row.seq),
  kind: row.kind,
  messageId: Number(row.message_id),
  actorId: Number(row.actor_id),
  content: row.content,
  createdAt: toDate(row.created_at),
});

export const toVersion = (row: VersionRow): MessageVersion => ({
  messageId: Number(row.message_id),
  content: row.content,
  cause: row.cause,
  replacedAt: toDate(row.replaced_at),
});

/** Groups reaction rows (read in the order they were made) by message, then emoji. */
export function groupReactions(rows: readonly ReactionRow[]): Map<number, Map<string, number[]>> {
  const byMessage = new Map<number, Map<string, number[]>>();
  for (const row of rows) {
    const id = Number(row.message_id);
    let byEmoji = byMessage.get(id);
    if (!byEmoji) byMessage.set(id, (byEmoji = new Map()));
    const users = byEmoji.get(row.emoji);
    if (users) users.push(Number(row.user_id));
    else byEmoji.set(row.emoji, [Number(row.user_id)]);
  }
  return byMessage;
}

/** Groups version rows (oldest first) by message. */
export function groupVersions(rows: readonly VersionRow[]): Map<number, MessageVersion[]> {
  const byMessage = new Map<number, MessageVersion[]>();
  for (const row of rows) {
    const version = toVersion(row);
    const list = byMessage.get(version.messageId);
    if (list) list.push(version);
    else byMessage.set(version.messageId, [version]);
  }
  return byMessage;
}

/** What a change must respect: only the sender's (`own`), within `windowMs` of sending, not while paused unless `anyPause`. */
export interface ChangeRule {
  own: boolean;
  windowMs?: number;
  now: number;
  anyPause?: boolean;
}

/** What a change may do to `message` in `pair`, in the contract's order (see MessageChangeStore); null: it may. */
export function changeRefusal(pair: ChangePairRow | undefined, message: MessageRow | undefined, actorId: number, rule: ChangeRule): AppError | null {
  if (!pair || !isSet(pair.active) || (Number(pair.mentor_id) !== actorId && Number(pair.mentee_id) !== actorId)) return new AppError('not_matched');
  if (isSet(pair.paused) && rule.anyPause !== true) return new AppError('match_paused');
  if (!message || message.kind !== 'message') return new AppError('message_not_found');
  if (rule.own && Number(message.sender_id) !== actorId) return new AppError('not_own_message');
  if (message.deleted_at !== null) return new AppError('message_deleted');
  // At the window's end it is closed: a window of 0 allows no edit at all.
  if (rule.windowMs !== undefined && rule.now - toDate(message.created_at).getTime() >= rule.windowMs) return new AppError('edit_window_passed');
  return null;
}
