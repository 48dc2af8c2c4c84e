/**
 * The HTTP API's bodies (PROTOCOL.md Part 3), typed once for the server's routes, the client
 * and the tests. The routes' JSON schemas (which also generate `/api/openapi.json`) describe
 * the same shapes for validation.
 */
import type { WireMessage } from './frames.js';

export type PublicRole = 'MENTOR' | 'MENTEE' | 'ADMIN';

/** A user as the API shows them: never an id, never a password hash. */
export interface PublicUser {
  email: string;
  first_name: string;
  last_name: string;
  role: PublicRole;
}

/**
 * A message as the history endpoint returns it: the wire message plus whether it was read.
 * A notice (an admin viewed the conversation) has `kind: "admin_viewed"` and `actor_name`,
 * an empty `sender_email`, and a `content` that says it in words for clients that show
 * every row as a message.
 */
export type HistoryMessage = WireMessage & {
  is_read: boolean;
  kind?: 'admin_viewed';
  actor_name?: string;
  /** Admins only (PROTOCOL.md Part 8): the texts edits replaced and a deleted message's text, oldest first, while kept. */
  versions?: MessageVersionView[];
  /** In the reporter's own history only: they reported this message. */
  reported?: true;
};

/** An earlier text of a message, as admins see it. */
export interface MessageVersionView {
  content: string;
  cause: 'edit' | 'delete';
  replaced_at: string;
}

/** One of the caller's own messages that the filter held (awaiting review) or an admin rejected: never delivered, no `seq`. */
export interface UndeliveredMessage {
  message_id: string;
  sender_email: string;
  sender_name: string;
  content: string;
  timestamp: string;
  client_id?: string;
  status: 'held' | 'rejected';
  rule: string;
  reason?: string;
}

/** `GET /api/me`: who is signed in, their partners, what coordinators can see, and whom to reach for help. */
export interface MeResponse {
  user: PublicUser;
  partners: PublicUser[];
  conversation_policy: 'private' | 'oversight' | 'moderated';
  /** Absent when `SAFEGUARDING_CONTACT` is unset. */
  safeguarding_contact?: string;
}

/** One row of `GET /api/chat/conversations`. */
export interface ConversationRow {
  partner: PublicUser;
  last_message: HistoryMessage | null;
  unread_count: number;
  partner_online: boolean;
  /** The match ended: readable for `ARCHIVE_DAYS`, nothing can be sent (listed with `include=archived`). */
  archived: boolean;
  paused: boolean;
}

/** One page of `GET /api/chat/{partner}/messages`: oldest first; `has_more` says whether more lie in the paging direction. */
export interface HistoryPage {
  messages: HistoryMessage[];
  has_more: boolean;
  /** On the newest page only: the caller's own held and rejected messages since its first message. */
  undelivered?: UndeliveredMessage[];
}

/** An active match as `GET /api/matches` lists it. */
export interface PublicMatch {
  mentor: PublicUser;
  mentee: PublicUser;
  matched_at: string;
  /** Paused by an admin (PROTOCOL.md Part 7): the pair reads, but cannot send. */
  paused: boolean;
}

/** One user of the admin's directory (`GET /api/users`). */
export interface DirectoryEntry extends PublicUser {
  registered_at: string;
  /** When the user registered, or when their last match ended if later. */
  waiting_since: string;
  partners: PublicUser[];
  load: number;
  /** `MENTOR_CAPACITY` for a mentor (null: unlimited), 1 for a mentee, 0 for an admin. */
  capacity: number | null;
}

/** A page of the directory; pass `next_cursor` as `cursor` for the next one (null: the last page). */
export interface DirectoryPage {
  users: DirectoryEntry[];
  next_cursor: string | null;
}

/** The body of register (MENTOR or MENTEE) and of an admin's user creation (any role). */
export interface NewUserFields {
  email: string;
  password: string;
  first_name: string;
  last_name: string;
  role: PublicRole;
}

/** Every refusal: a stable `lower_snake` code and a human text. */
export interface ErrorBody {
  error: string;
  message: string;
}

/** The filter's word list as an instance applies it (`GET /api/moderation/words`). */
export interface WordListView {
  applied: boolean;
  tandem: string[];
  file: string[];
  added: string[];
  removed: string[];
  phrases: number;
  applied_at: string | null;
}

/** A held message as the moderation queue shows it. */
export interface HeldView {
  message_id: string;
  sender: PublicUser;
  receiver: PublicUser;
  content: string;
  timestamp: string;
  status: 'held' | 'approved' | 'rejected';
  rule: string;
  /** The text the rule matched, as the filter read it (the reader's view, folded). */
  matched: string;
  /** Only when the content hides invisible or format characters: each shown by its code point. */
  content_marked?: string;
  reason?: string;
  context: HistoryMessage[];
}

/** A report as admins see it. */
export interface ReportView {
  report_id: string;
  message: HistoryMessage;
  reporter: PublicUser;
  pair: { mentor: PublicUser; mentee: PublicUser };
  reason: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
  resolution: string | null;
  context: HistoryMessage[];
}

/** One entry of the audit log. */
export interface AuditEntryView {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown> | null;
  /** The people the entry is about, by name ("First Last"); null where none (`GET /api/audit` only). */
  names?: { actor: string | null; user: string | null; mentor: string | null; mentee: string | null };
}

/** One result of `GET /api/chat/{partner_email}/search`: the message as history shows it, and its content as escaped HTML with each matched word in `<mark>`. */
export type SearchHit = HistoryMessage & { highlight: string };

/** A page of search results, newest first; `has_more`: older results remain (page with `before`). */
export interface SearchPage {
  messages: SearchHit[];
  has_more: boolean;
}

/** `GET /api/admin/counts`: what waits for a coordinator, each count stopped at 1000. */
export interface AdminCounts {
  held: number;
  reports: number;
  at_risk: number;
  failed_deliveries: number;
  /** Whether a webhook endpoint is set. */
  webhooks: boolean;
}
