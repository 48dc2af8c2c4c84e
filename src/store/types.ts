/**
 * The Store: everything Tandem keeps. One implementation per database (SQLite, PostgreSQL),
 * all held to the same contract suite in test/contract/store.ts. Methods speak the domain,
 * always return Promises, and authorize writes at the moment of use (a message is stored
 * only while its pair is matched).
 */
import { AppError } from '../errors.js';
import { parseEmail } from '../protocol/email.js';
import type { Message, NewMessage } from './message-types.js';
import type { HeldMessage, Report, SafeguardingStore } from './safeguarding-types.js';
import type { WordListStore } from './word-list-types.js';

export type * from './message-types.js';
export type * from './safeguarding-types.js';
export type * from './word-list-types.js';

import type { WebhookEventType, WebhookStatus } from '../protocol/webhooks.js';

export type Role = 'MENTOR' | 'MENTEE' | 'ADMIN';
export const ROLES: readonly Role[] = ['MENTOR', 'MENTEE', 'ADMIN'];

export interface User {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  createdAt: Date;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  role: Role;
}

/** A mentor and a mentee; the pair outlives an unmatch so that a rematch keeps its history. */
export interface Pair {
  id: number;
  mentorId: number;
  menteeId: number;
  active: boolean;
  /** The `seq` of the pair's newest message, 0 before the first. */
  lastSeq: number;
  /** Paused by a programme: the pair connects and reads, but sends nothing. */
  paused: boolean;
  /** When the pair was last unmatched; null while active. */
  endedAt: Date | null;
}

export interface Match {
  pairId: number;
  mentor: User;
  mentee: User;
  matchedAt: Date;
  paused: boolean;
}

export interface AppendResult {
  message: Message;
  /** False when `clientId` matched an earlier message of the same sender in the same pair. */
  created: boolean;
}

export interface ReadResult {
  count: number;
  /** Id of the newest message this call marked read; null when it marked none. */
  lastReadId: number | null;
}

/** Where a page of history lies: message ids bounding it (both exclusive), and its size (at least 1). */
export interface HistoryCursor {
  before?: number;
  after?: number;
  limit: number;
}

/** One page of history, oldest first. */
export interface HistoryPage {
  messages: Message[];
  /** More messages lie beyond the page in the direction of paging. */
  hasMore: boolean;
}

/** One current partner of a user, as the conversation list shows it. */
export interface Conversation {
  pairId: number;
  partner: User;
  /** The pair's newest message (from either side); null before the first. */
  lastMessage: Message | null;
  /** Messages from the partner that the user has not marked read. */
  unreadCount: number;
  /** The match ended: the history is readable, nothing can be sent. */
  archived: boolean;
  paused: boolean;
}

/** Which conversations `Store.conversations` lists besides the active ones. */
export interface ConversationOptions {
  /** Also pairs that ended after this instant (the archive); absent: active pairs only. */
  endedSince?: Date;
}

/** A page of the admin's directory: filters, and where the previous page ended. */
export interface DirectoryQuery {
  role?: Role;
  /** `matched`: mentors and mentees with an active match; `unmatched`: those without (admins are neither). */
  status?: 'matched' | 'unmatched';
  /** Part of an email or of "First Last", case-insensitive. */
  search?: string;
  /** Users with a larger id only (the cursor of the previous page). */
  afterId?: number;
  limit: number;
}

/** A user of the directory with their current partners (a mentor's load is their number). */
export interface DirectoryEntry {
  user: User;
  partners: User[];
}

export interface DirectoryPage {
  /** In id order (the order of registration). */
  entries: DirectoryEntry[];
  /** The cursor of the next page; null on the last. */
  nextAfterId: number | null;
}

/** A live session of a user, as their list of sign-ins shows it. */
export interface SessionRecord {
  /** The stored hash of the session token (never the token). */
  tokenHash: string;
  createdAt: Date;
  expiresAt: Date;
}

/** Failed logins counted under one key (an account or a client address) in its current window. */
export interface LoginAttempts {
  key: string;
  count: number;
  /** When the key's current window started; it ends one window length later. */
  windowStartedAt: Date;
}

/**
 * Who the platform says a person is, in its own terms: a token's `iss` and `sub`, or the
 * proxy's `id`. Stored as given; an account holds at most one.
 */
export interface PlatformId {
  issuer: string;
  subject: string;
}

/** A user as a platform describes them (a token's claims, the proxy's answer, the server API, the import). */
export interface ExternalUser {
  email: string;
  firstName: string;
  lastName: string;
  role: Role;
  /** The platform's key for the person; absent when it names them by email only (server API, import). */
  platformId?: PlatformId | null;
}

/** What `upsertUser` did. */
export interface UpsertResult {
  user: User;
  /** The user did not exist before. */
  created: boolean;
  /** Something was written: created, or email, names, role, password or platform id changed. */
  changed: boolean;
  /**
   * The sessions revoked because the platform claimed an account that had a password (a
   * registration of the platform's address): their sockets must be closed.
   */
  revokedSessions: string[];
}

export interface MatchOptions {
  /** Most active mentees the mentor may have, this one included; null or absent: no limit. */
  mentorCapacity?: number | null;
  /** Who made the change, for its webhook event (`match.created` / `match.ended`). */
  actor?: string | null;
  /** Why, for its webhook event; `match.ended` without one says `unmatched`. */
  reason?: string | null;
}

/**
 * Whether the store writes webhook events, and when a `message.unread` reminder falls due
 * after a message is stored. Null: no events are written (webhooks are off).
 */
export interface OutboxOptions {
  unreadAfterMs: number;
}

/** One event of the webhook outbox. */
export interface WebhookEvent {
  id: number;
  /** The `webhook-id` of every attempt: unique per event, the receiver's deduplication key. */
  eventId: string;
  type: WebhookEventType;
  pairId: number;
  /** The message of `message.created`. */
  messageId: number | null;
  /** The recipient a `message.unread` reminds. */
  recipientId: number | null;
  /** The held message of `message.held`. */
  heldId: number | null;
  /** The report of `message.reported`. */
  reportId: number | null;
  /** What only the cause knew (a match change's actor and reason). */
  detail: { actor?: string | null; reason?: string | null } | null;
  /** The body as first sent (JSON text), fixed so that every retry sends the same bytes; null before the first attempt. */
  data: string | null;
  status: WebhookStatus;
  attempts: number;
  createdAt: Date;
  /** Where the retry period began: the event's creation, or its last manual retry. */
  windowStart: Date;
  dueAt: Date;
  lastError: string | null;
  finishedAt: Date | null;
}

/** What an event's body is made of, read when it is first sent. */
export interface WebhookFacts {
  mentor: User;
  mentee: User;
  /** The message of `message.created`; null when it is gone. */
  message: Message | null;
  /** For `message.unread`: the recipient's unread messages from the partner, and the oldest of them. */
  unreadCount: number;
  oldestUnread: Message | null;
  /** For `message.held`: the held message; null when it is gone. */
  held: HeldMessage | null;
  /** For `message.reported`: the report and the message it reports; null when gone. */
  report: { report: Report; message: Message } | null;
  /** How many of `mentor` and `mentee` were erased accounts when these were read. */
  erased: number;
}

/** How one attempt ended: delivered, or to be tried again after `retryInMs`, or (null) given up. */
export type WebhookAttempt = { delivered: true } | { delivered: false; error: string; retryInMs: number | null };

/** The body fixed for event `id` at its first attempt (JSON text), or null: nothing is owed. */
export interface WebhookSavedBody {
  id: number;
  data: string | null;
  /** How many of the pair's two users were erased when the body's facts were read (see `WebhookFacts.erased`). */
  erased: number;
}

/** How the attempt at event `id` ended. */
export interface WebhookOutcome {
  id: number;
  attempt: WebhookAttempt;
}

/** How many events wait to be sent, and since when the oldest has. */
export interface WebhookBacklog {
  pending: number;
  oldestCreatedAt: Date | null;
}

/** Who ends a match, and whether they must take part in it. */
export interface EndMatchOptions extends Pick<MatchOptions, 'actor' | 'reason'> {
  /** End the match only if this user is its mentor or its mentee. */
  participantId?: number;
}

/** How `putMatch` treats a mentee who has another mentor. */
export interface PutMatchOptions extends MatchOptions {
  /** End the mentee's other match first, instead of refusing with `already_matched`. */
  replace: boolean;
}

/** What `putMatch` did. */
export interface PutMatchResult {
  match: Match;
  /** False when the pair was already matched: nothing was written. */
  created: boolean;
  /** The match `replace` ended, in the same transaction; null when none was. */
  ended: Match | null;
}

/** A message of a platform's history, as `importMessages` takes it. */
export interface ImportedMessage {
  /** The platform's id of the message: importing it again changes nothing. */
  externalId: string;
  senderEmail: string;
  receiverEmail: string;
  content: string;
  createdAt: Date;
  isRead: boolean;
}

/** What became of one imported message: stored, already there, or refused (and why). */
export type ImportOutcome = 'created' | 'unchanged' | AppError;

export interface Store extends SafeguardingStore, WordListStore {
  /** Creates a user; rejects with `email_taken` when the email is in use. */
  createUser(user: NewUser): Promise<User>;
  userByEmail(email: string): Promise<User | null>;
  /**
   * The platform's word about a user, in one transaction. The account is the one holding
   * `platformId` when given, else the one holding the email; none: it is created, with no
   * password (they cannot sign in with `local`), holding `platformId`. An existing account
   * takes the email, names and role, and becomes the platform's: a password it had is
   * cleared and its sessions revoked (`revokedSessions`) — an address registered locally is
   * never reachable with a password once the platform vouches for its owner. Rejects with
   * `identity_conflict` when the email is held by an account of another platform id (or,
   * for a known platform id, by any other account), and with `role_locked` when the role
   * would change while the user has an active match. Writes nothing when all is already so.
   * Concurrent calls for one person on any instance end in one user, exactly one of them
   * seeing `created`.
   */
  upsertUser(user: ExternalUser): Promise<UpsertResult>;
  /** The users of `ids` that exist, in no particular order. */
  usersById(ids: readonly number[]): Promise<User[]>;
  /** The user and their password hash, for login only. */
  credentialsByEmail(email: string): Promise<{ user: User; passwordHash: string } | null>;

  createSession(tokenHash: string, userId: number, expiresAt: Date): Promise<void>;
  /** The user of a live session: known, not expired at `now`, not revoked. */
  userBySession(tokenHash: string, now: Date): Promise<User | null>;
  /** Revokes a session; true when it was not revoked before. */
  revokeSession(tokenHash: string): Promise<boolean>;
  /** The user's live sessions (not expired at `now`, not revoked), newest first. */
  liveSessions(userId: number, now: Date): Promise<SessionRecord[]>;
  /** Revokes every session of the user not revoked yet; resolves with their hashes. */
  revokeSessionsOf(userId: number): Promise<string[]>;
  /** Replaces the user's password hash if it is still `previous` (a rehash never undoes a change made meanwhile); true when replaced. */
  replacePasswordHash(userId: number, previous: string, next: string): Promise<boolean>;

  /**
   * Matches a mentee with a mentor. Rejects with `user_not_found`, `wrong_role`,
   * `already_matched`, or `mentor_at_capacity` when the mentor already has
   * `options.mentorCapacity` active mentees (checked under a lock of the mentor, so concurrent
   * matches on any instance never exceed it). Rematching a former pair reactivates it,
   * history and `seq` included. With the outbox on, `match.created` is written in the same
   * transaction, with `options.actor` and `options.reason`.
   */
  createMatch(mentorEmail: string, menteeEmail: string, options?: MatchOptions): Promise<Match>;
  /**
   * Makes `mentorEmail` the mentee's mentor, idempotently: resolves with `created: false`
   * when it already is. Otherwise as `createMatch`, except that with `replace` the mentee's
   * other active match is ended first, in the same transaction. Concurrent calls for one
   * mentee, on any instance, are applied one after the other.
   */
  putMatch(menteeEmail: string, mentorEmail: string, options: PutMatchOptions): Promise<PutMatchResult>;
  /**
   * Ends the mentee's active match; null when there is none, or when `options.participantId`
   * is given and that user is not in it (checked in the same transaction, so a participant can
   * never end a match made since they last looked). With the outbox on, `match.ended` is
   * written in the same transaction, with `options.actor` and `options.reason`.
   */
  endMatch(menteeEmail: string, options?: EndMatchOptions): Promise<Match | null>;
  /**
   * Pauses (or resumes) the mentee's active match; null when there is none. Taken under the
   * pair's lock, like an append: a message committed before it is kept, any later one refused.
   */
  setMatchPaused(menteeEmail: string, paused: boolean): Promise<Match | null>;
  /** Active matches: all of them, or those in which `userId` takes part. */
  listMatches(userId?: number): Promise<Match[]>;
  /**
   * The active pair of `user` with the user whose email is `partnerEmail`, provided the
   * partner holds the counterpart role; null otherwise, whatever the reason.
   */
  activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null>;
  /** Like `activePairWith`, but whether the pair is active or ended (the archive). */
  pairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null>;
  pairById(pairId: number): Promise<Pair | null>;

  /**
   * Stores a message with the pair's next `seq`, allocated in the storing transaction.
   * Rejects with `not_matched` when the pair is not active or the sender is not in it (this
   * is checked first, retries included), and with `match_paused` when a new message would be
   * stored in a paused pair (a retry of a stored one still gets its original). Idempotent on `(pairId, senderId, clientId)`: a
   * retry resolves with the original and `created: false`. Resolves once the message is durable.
   * With the outbox on, the same transaction writes its `message.created` event and, unless
   * one is pending, a `message.unread` reminder of the receiver due after the window.
   */
  appendMessage(message: NewMessage): Promise<AppendResult>;
  /**
   * As `appendMessage`, under moderation: when the sender has a held message of this
   * `clientId` in the pair that was not approved, nothing is stored and the result is that held
   * message (a retry of it gets it back, whatever its content now). Checked with the append.
   */
  appendUnlessHeld(message: NewMessage): Promise<AppendResult | { held: HeldMessage }>;
  /**
   * Stores a platform's history, in one transaction, each message with its pair's next `seq`
   * (the pair of a mentor and a mentee is made, not matched, when they were never matched
   * here), its own time and read state. A message whose `externalId` is stored already is
   * `unchanged`. Each message is refused alone: `user_not_found`, `wrong_role` (not a mentor
   * and a mentee), or `invalid_request` when it is older than its pair's newest message — so
   * that `seq` follows time, a pair's history comes in timestamp order. Outcomes are in the
   * order of `messages`.
   */
  importMessages(messages: readonly ImportedMessage[]): Promise<ImportOutcome[]>;
  /**
   * One page of the pair's history, oldest first, by message id (ids grow with `seq` within
   * a pair; an id of another pair is a position like any other). Without a cursor: the
   * newest `limit` messages. `before` alone: the `limit` messages just before it. `after`
   * (with or without `before`): the `limit` messages just after it, and before `before`
   * when given. `hasMore`: more messages lie beyond the page in the direction of paging
   * (older ones without `after`, newer ones up to `before` with it).
   */
  historyPage(pairId: number, cursor: HistoryCursor): Promise<HistoryPage>;
  /** Up to `limit` messages of the pair with `seq > afterSeq`, oldest first. */
  messagesAfter(pairId: number, afterSeq: number, limit: number): Promise<Message[]>;
  /** Up to `limit` messages of the pair with `seq < beforeSeq`, returned oldest first. */
  messagesBefore(pairId: number, beforeSeq: number, limit: number): Promise<Message[]>;
  /**
   * The `seq` of the newest message of each pair in `pairIds` (0 before the first), read with
   * one statement whatever their number, so a periodic check of many rooms stays one query.
   * Ids of no pair are absent from the map; ended pairs are present.
   */
  lastSeqs(pairIds: readonly number[]): Promise<Map<number, number>>;
  /**
   * Marks every unread message the partner sent to `readerId` in an active pair, in one
   * statement, and cancels the reader's pending `message.unread` reminder of the pair.
   */
  markRead(pairId: number, readerId: number): Promise<ReadResult>;
  /** How many of the partner's messages in the pair `readerId` has not read. */
  unreadCount(pairId: number, readerId: number): Promise<number>;
  /**
   * One row per active match of `userId`: the partner, the pair's newest message and the
   * number of the partner's messages the user has not read — read with one SQL statement,
   * whatever the number of partners. Most recent activity first (newest message, or the
   * match itself when there is none), then newest pair first. With `endedSince`, the
   * pairs that ended after it follow the active ones, marked `archived`.
   */
  conversations(userId: number, options?: ConversationOptions): Promise<Conversation[]>;
  /** One page of users for the admin's directory, each with their current partners; two statements whatever the page size. */
  directory(query: DirectoryQuery): Promise<DirectoryPage>;

  /**
   * Counts one login attempt under each key and resolves with each key's count in its
   * current window. A key whose window started at or before `windowStart` starts a new
   * window at `now` with a count of 1. Windows that ended are forgotten. Atomic per key, so
   * concurrent attempts on any instance each get their own count. Keys are distinct.
   */
  countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]>;
  /** Takes back one attempt counted under each key (the login succeeded); never below zero. */
  refundLoginAttempt(keys: readonly string[]): Promise<void>;

  /**
   * Claims up to `limit` pending events that are due and not leased, oldest due first, and
   * leases them for `leaseMs`: until the lease runs out no other claim (on any instance)
   * returns them. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so concurrent claims never
   * return one event twice.
   */
  claimWebhooks(limit: number, leaseMs: number): Promise<WebhookEvent[]>;
  /**
   * What the body of each of `events` is built from (the pair's users, the message, the
   * recipient's unread state, the held message, the report), in the order of `events`; read
   * for all of them at once, in a few queries whatever their number.
   */
  webhookFacts(events: readonly WebhookEvent[]): Promise<WebhookFacts[]>;
  /**
   * Fixes the bodies of pending events, in one transaction; a `null` body cancels its event
   * instead (a reminder with nothing unread). Events no longer pending are left alone, and so
   * is a body for a pair of which a user was erased since its facts were read (more erased
   * users now than `erased`: it would copy what the erasure emptied; built again, it will
   * not). Resolves with the ids of the events whose body it fixed: the ones to send.
   */
  setWebhookData(bodies: readonly WebhookSavedBody[]): Promise<Set<number>>;
  /**
   * Records attempts, in one transaction: each event delivered, due again later, or failed
   * for good, its lease ended. Events no longer pending are left alone.
   */
  recordWebhookAttempts(attempts: readonly WebhookOutcome[]): Promise<void>;
  /** Events of `status`, newest first, up to `limit`, older than the event of `beforeId` when given. */
  listWebhooks(status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]>;
  /** The event with this `webhook-id`, or null. */
  webhookById(eventId: string): Promise<WebhookEvent | null>;
  /** A failed event becomes pending again, due now, with a new retry period; false when it is not failed. */
  retryWebhook(eventId: string): Promise<boolean>;
  /** The pending events' count and the oldest one's creation. */
  webhookBacklog(): Promise<WebhookBacklog>;

  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Stores what is pending, then closes. */
  close(): Promise<void>;
}

/** Why an imported message older than its pair's newest is refused. */
export const OUT_OF_ORDER = "The message is older than its pair's newest message: a pair's history must come in timestamp order";

/** The stored password hash of a user who has none: no password verifies against it. */
export const NO_PASSWORD = '';

/**
 * The kept form of an email (see protocol/email.ts: NFC, lower-cased, nothing invisible);
 * rejects with `invalid_request` (naming `field`) for what is not an email address.
 */
export function normalizeEmail(email: string, field = 'email'): string {
  const verdict = parseEmail(email);
  if ('problem' in verdict) throw new AppError('invalid_request', `${field} ${verdict.problem}`);
  return verdict.email;
}

/** The counterpart role a user of `role` may chat with; null for admins. */
export function counterpartRole(role: Role): Role | null {
  if (role === 'MENTEE') return 'MENTOR';
  if (role === 'MENTOR') return 'MENTEE';
  return null;
}
