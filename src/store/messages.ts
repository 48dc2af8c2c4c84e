/**
 * The Store's messages: appending (under moderation too), importing a platform's history,
 * reading history and catch-up, read state and the conversation list.
 */
import type { AppError } from '../errors.js';
import type { Message, NewMessage } from './message-types.js';
import type { HeldMessage } from './moderation.js';
import type { User } from './users.js';

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

/** Which conversations `MessageStore.conversations` lists besides the active ones. */
export interface ConversationOptions {
  /** Also pairs that ended after this instant (the archive); absent: active pairs only. */
  endedSince?: Date;
}

/** A message of a platform's history, as `MessageStore.importHistory` takes it. */
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

/** Why an imported message older than its pair's newest is refused. */
export const OUT_OF_ORDER = "The message is older than its pair's newest message: a pair's history must come in timestamp order";

export interface MessageStore {
  /**
   * Stores a message with the pair's next `seq`, allocated in the storing transaction.
   * Rejects with `not_matched` when the pair is not active or the sender is not in it (this
   * is checked first, retries included), and with `match_paused` when a new message would be
   * stored in a paused pair (a retry of a stored one still gets its original). Idempotent on `(pairId, senderId, clientId)`: a
   * retry resolves with the original and `created: false`. Resolves once the message is durable.
   * With the outbox on, the same transaction writes its `message.created` event and, unless
   * one is pending, a `message.unread` reminder of the receiver due after the window.
   */
  append(message: NewMessage): Promise<AppendResult>;
  /**
   * As `append`, under moderation: when the sender has a held message of this
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
  importHistory(messages: readonly ImportedMessage[]): Promise<ImportOutcome[]>;
  /**
   * One page of the pair's history, oldest first, by message id (ids grow with `seq` within
   * a pair; an id of another pair is a position like any other). Without a cursor: the
   * newest `limit` messages. `before` alone: the `limit` messages just before it. `after`
   * (with or without `before`): the `limit` messages just after it, and before `before`
   * when given. `hasMore`: more messages lie beyond the page in the direction of paging
   * (older ones without `after`, newer ones up to `before` with it).
   */
  history(pairId: number, cursor: HistoryCursor): Promise<HistoryPage>;
  /** Up to `limit` messages of the pair with `seq > afterSeq`, oldest first. */
  after(pairId: number, afterSeq: number, limit: number): Promise<Message[]>;
  /** Up to `limit` messages of the pair with `seq < beforeSeq`, returned oldest first. */
  before(pairId: number, beforeSeq: number, limit: number): Promise<Message[]>;
  /** Up to `limit` participants' messages of the pair with an id at most `uptoId` (or created at most at `at`), oldest first. */
  upTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]>;
  byId(id: number): Promise<Message | null>;
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
}
