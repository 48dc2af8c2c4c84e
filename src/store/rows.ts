/**
 * The rows both engines read, and their mapping to domain objects. Column names are the
 * same in both schemas; only the representation differs: SQLite gives flags as 0/1 and
 * instants as epoch milliseconds, PostgreSQL gives booleans and Dates.
 */
import { ERASED_EMAIL_LIKE } from '../protocol/erased-email.js';
import type { WebhookEventType, WebhookStatus } from '../protocol/webhooks.js';
import { parseAttachmentsColumn } from './attachments.js';
import type { Conversation, DirectoryPage, HistoryPage, Match, Message, MessageKind, Pair, Role, User, WebhookEvent } from './types.js';

/** A boolean column: 0/1 from SQLite, a boolean from PostgreSQL. */
export type Flag = number | boolean;
/** A timestamp column: epoch milliseconds from SQLite, a Date from PostgreSQL. */
export type Instant = number | Date;

export interface UserRow {
  id: number;
  email: string;
  first_name: string;
  last_name: string;
  role: Role;
  created_at: Instant;
}
export interface PairRow {
  id: number;
  mentor_id: number;
  mentee_id: number;
  active: Flag;
  last_seq: number;
  paused: Flag;
  ended_at: Instant | null;
}
export interface MessageRow {
  id: number;
  pair_id: number;
  seq: number;
  sender_id: number;
  content: string;
  created_at: Instant;
  is_read: Flag;
  client_id: string | null;
  kind: MessageKind;
  edited_at: Instant | null;
  deleted_at: Instant | null;
  reply_to: number | null;
  reply_sender_id: number | null;
  reply_preview: string | null;
  attachments?: string | null;
}
export interface MatchRow {
  pair_id: number;
  matched_at: Instant;
  mentor_id: number;
  mentee_id: number;
  paused: Flag;
}
/** A conversation: the partner's columns, the newest message's columns prefixed `m_` (null without one). */
export interface ConversationRow extends UserRow {
  pair_id: number;
  active: Flag;
  paused: Flag;
  unread_count: number;
  m_id: number | null;
  m_seq: number;
  m_sender_id: number;
  m_content: string;
  m_created_at: Instant;
  m_is_read: Flag;
  m_client_id: string | null;
  /** The newest message was deleted (its content is empty already). */
  m_deleted?: Flag | null;
  m_attachments?: string | null;
}

export interface WebhookRow {
  id: number;
  event_id: string;
  type: WebhookEventType;
  pair_id: number;
  message_id: number | null;
  recipient_id: number | null;
  held_id: number | null;
  report_id: number | null;
  detail: string | null;
  data: string | null;
  status: WebhookStatus;
  attempts: number;
  created_at: Instant;
  window_start: Instant;
  due_at: Instant;
  last_error: string | null;
  finished_at: Instant | null;
}

/** The columns of a WebhookRow. */
export const WEBHOOK_COLUMNS =
  'id, event_id, type, pair_id, message_id, recipient_id, held_id, report_id, detail, data, status, attempts, created_at, window_start, due_at, last_error, finished_at';

/** The domain WebhookEvent of a row. */
export const toWebhookEvent = (row: WebhookRow): WebhookEvent => ({
  id: row.id,
  eventId: row.event_id,
  type: row.type,
  pairId: row.pair_id,
  messageId: row.message_id,
  recipientId: row.recipient_id,
  heldId: row.held_id,
  reportId: row.report_id,
  detail: row.detail === null ? null : (JSON.parse(row.detail) as WebhookEvent['detail']),
  data: row.data,
  status: row.status,
  attempts: row.attempts,
  createdAt: toDate(row.created_at),
  windowStart: toDate(row.window_start),
  dueAt: toDate(row.due_at),
  lastError: row.last_error,
  finishedAt: row.finished_at === null ? null : toDate(row.finished_at),
});

/**
 * How many users of the event's pair are erased (see `DataRightsStore.erase`: an erased account's address
 * is `erasedEmailOf(id)`), compared with a parameter: a body is saved only if no
 * erasure happened since its facts were read.
 */
export const PAIR_ERASED_COUNT = `(
  SELECT count(*) FROM pairs p JOIN users u ON u.id = p.mentor_id OR u.id = p.mentee_id
  WHERE p.id = webhook_events.pair_id AND u.email LIKE '${ERASED_EMAIL_LIKE}')`;

export { erasedEmailOf, isErasedEmail } from '../protocol/erased-email.js';

/** The columns of a UserRow, in the order both engines select them. */
export const USER_COLUMNS = 'id, email, first_name, last_name, role, created_at';
/** The columns of a PairRow. */
export const PAIR_COLUMNS = 'id, mentor_id, mentee_id, active, last_seq, paused, ended_at';
/** The columns of a MatchRow, read from `pairs`. */
export const MATCH_COLUMNS = 'id AS pair_id, matched_at, mentor_id, mentee_id, paused';
/** The columns of a MessageRow. */
export const MESSAGE_COLUMNS =
  'id, pair_id, seq, sender_id, content, created_at, is_read, client_id, kind, edited_at, deleted_at, reply_to, reply_sender_id, reply_preview, attachments';

/** True for SQLite's 1 and PostgreSQL's true. */
export const isSet = (flag: Flag): boolean => flag === true || flag === 1;
/** The instant as a Date; a Date from the driver is kept as it is. */
export const toDate = (instant: Instant): Date => (instant instanceof Date ? instant : new Date(instant));

/** The domain User of a row. */
export const toUser = (row: UserRow): User => ({
  id: row.id,
  email: row.email,
  firstName: row.first_name,
  lastName: row.last_name,
  role: row.role,
  createdAt: toDate(row.created_at),
});

/** The domain Pair of a row. */
export const toPair = (row: PairRow): Pair => ({
  id: row.id,
  mentorId: row.mentor_id,
  menteeId: row.mentee_id,
  active: isSet(row.active),
  lastSeq: row.last_seq,
  paused: isSet(row.paused),
  endedAt: row.ended_at === null ? null : toDate(row.ended_at),
});

/** The domain Message of a row. */
export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  pairId: row.pair_id,
  seq: row.seq,
  kind: row.kind,
  senderId: row.sender_id,
  content: row.content,
  createdAt: toDate(row.created_at),
  isRead: isSet(row.is_read),
  clientId: row.client_id,
  editedAt: row.edited_at === null ? null : toDate(row.edited_at),
  deleted: row.deleted_at !== null,
  replyTo: row.reply_to === null ? null : { id: row.reply_to, senderId: row.reply_sender_id ?? 0, preview: row.reply_preview ?? '' },
  ...withAttachments(row.attachments),
});

/** A message's files, when it has any. */
const withAttachments = (column: string | null | undefined): Pick<Message, 'attachments'> => {
  const files = parseAttachmentsColumn(column);
  return files.length === 0 ? {} : { attachments: files };
};

/** The domain Match of a row, given both of its users. */
export const toMatch = (row: MatchRow, mentor: User, mentee: User): Match => ({
  pairId: row.pair_id,
  mentor,
  mentee,
  matchedAt: toDate(row.matched_at),
  paused: isSet(row.paused),
});

/** The domain Conversation of a row. */
export const toConversation = (row: ConversationRow): Conversation => ({
  pairId: row.pair_id,
  partner: toUser(row),
  lastMessage:
    row.m_id === null
      ? null
      : toMessage({
          id: row.m_id,
          pair_id: row.pair_id,
          seq: row.m_seq,
          sender_id: row.m_sender_id,
          content: row.m_content,
          created_at: row.m_created_at,
          is_read: row.m_is_read,
          client_id: row.m_client_id,
          attachments: row.m_attachments ?? null,
          kind: 'message',
          edited_at: null,
          deleted_at: row.m_deleted ? 0 : null,
          reply_to: null,
          reply_sender_id: null,
          reply_preview: null,
        }),
  unreadCount: row.unread_count,
  archived: !isSet(row.active),
  paused: isSet(row.paused),
});

/** A current partner of the directory user `owner_id`. */
export interface PartnerRow extends UserRow {
  owner_id: number;
}

/** The directory page of `users` (read with one row more than the page: `more`), with their partners. */
/** A user of the directory, with when their last match ended (null: never matched, or still in every match). */
export type DirectoryRow = UserRow & { last_ended_at: Instant | null };

export function directoryPage(rows: readonly DirectoryRow[], partners: readonly PartnerRow[], more: boolean): DirectoryPage {
  const byUser = new Map<number, User[]>(rows.map((row) => [row.id, []]));
  for (const row of partners) byUser.get(row.owner_id)?.push(toUser(row));
  return {
    entries: rows.map((row) => ({
      user: toUser(row),
      partners: byUser.get(row.id)!,
      lastEndedAt: row.last_ended_at === null ? null : toDate(row.last_ended_at),
    })),
    nextAfterId: more ? rows[rows.length - 1]!.id : null,
  };
}

/** SQL LIKE text matching `search` anywhere, with `\\` escaping LIKE's own characters. */
export function likePattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The page of `rows` read with one row more than `limit`: newest first when paging back
 * (`forward` false), oldest first when paging forward. The extra row only tells `hasMore`.
 */
export function toHistoryPage(rows: readonly MessageRow[], limit: number, forward: boolean): HistoryPage {
  const page = rows.slice(0, limit).map(toMessage);
  return { messages: forward ? page : page.reverse(), hasMore: rows.length > limit };
}
