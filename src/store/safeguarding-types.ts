/**
 * The Store's safeguarding side (PROTOCOL.md Part 7): held messages and their decisions,
 * notices in a pair's timeline, reports, and the append-only audit log. Part of `Store`.
 */
import type { Message, NewMessage } from './message-types.js';

export type HeldStatus = 'held' | 'approved' | 'rejected';

/** A message the filter held: kept apart from the pair's messages until an admin approves it. */
export interface HeldMessage {
  id: number;
  pairId: number;
  senderId: number;
  content: string;
  clientId: string | null;
  createdAt: Date;
  status: HeldStatus;
  /** The filter rule that held it, and the text that matched. */
  rule: string;
  matched: string;
  /** The reason given with a rejection. */
  reason: string | null;
  decidedBy: string | null;
  decidedAt: Date | null;
  /** The delivered message, once approved. */
  messageId: number | null;
}

export interface NewHeldMessage extends NewMessage {
  rule: string;
  matched: string;
}

/**
 * What holding a message did: stored it held (`created`), found it held or decided before
 * (a retry of the same `clientId`), or found that the same `clientId` was delivered already.
 */
export type HoldResult = { held: HeldMessage; created: boolean } | { message: Message; created: false };

/** A participant's report of a delivered message. */
export interface Report {
  id: number;
  messageId: number;
  pairId: number;
  reporterId: number;
  reason: string;
  createdAt: Date;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  resolution: string | null;
}

/** One entry of the audit log: who did what to whom, and when. `detail` never holds message content. */
export interface AuditEntry {
  id: number;
  at: Date;
  /** An admin's email, or `api:<name>` for an API key. */
  actor: string;
  action: string;
  /** What it was done to: `user:<email>`, `pair:<id>`, `message:<id>`, `held:<id>`, `report:<id>`. */
  target: string;
  /** Null once an erasure redacted the entry. */
  detail: Record<string, unknown> | null;
  /** The user who acted (null for an API key), the user and the pair it is about: what an export and an erasure find it by. */
  actorId: number | null;
  userId: number | null;
  pairId: number | null;
}

/**
 * What a route writes. The ids are found from `actor` (a user's email) and `target`
 * (`user:<email>`, `pair:<id>`, `held:<id>`, `message:<id>`, `report:<id>`) when the entry is
 * written; `userId` and `pairId` name them outright when the target cannot (an erased user).
 */
export interface NewAuditEntry {
  actor: string;
  action: string;
  target: string;
  detail: Record<string, unknown> | null;
  userId?: number;
  pairId?: number;
}

/** A page of the audit log or of a queue: oldest or newest first as the method says, and whether more lie beyond. */
export interface Paged<T> {
  items: T[];
  hasMore: boolean;
}

/** A pair as admins see it under every policy: metadata, no content. */
export interface PairSummary {
  pairId: number;
  mentorId: number;
  menteeId: number;
  active: boolean;
  messageCount: number;
  lastActivity: Date | null;
}

/** What erasing a user changed, for telling the live connections. */
export interface Erasure {
  /** Sessions that were live and are now revoked. */
  revokedSessions: string[];
  /** Pairs that were active and are now ended. */
  endedPairs: number[];
  /** Why the purge after the committed erasure did not complete (to log), or null. */
  purgeProblem: string | null;
}

export interface SafeguardingStore {
  /**
   * Deletes up to `limit` of the oldest messages (and held messages) created before `cutoff`,
   * in one short statement; resolves with how many it deleted. Safe on several instances at
   * once: each takes rows the others are not deleting (PostgreSQL `SKIP LOCKED`).
   */
  deleteMessagesBefore(cutoff: Date, limit: number): Promise<number>;
  /** Up to `limit` messages sent or received by the user, in every pair they were ever in, with an id above `afterId`, by id. */
  messagesOfUser(userId: number, afterId: number, limit: number): Promise<Message[]>;
  /** Every pair the user was ever in, ended ones included. */
  pairSummariesOf(userId: number): Promise<PairSummary[]>;
  /** Held and rejected messages the user sent. */
  heldOfUser(userId: number): Promise<HeldMessage[]>;
  /** Reports the user made. */
  reportsByUser(userId: number): Promise<Report[]>;
  /** Audit entries by the user, about them, or about the pairs `pairIds`, by id (never by email: an address can change hands), oldest first. */
  auditOf(userId: number, pairIds: readonly number[]): Promise<AuditEntry[]>;
  /** Whether the audit log records an erasure of the address `email`. */
  wasErased(email: string): Promise<boolean>;
  /**
   * Erases a user in one transaction: sessions revoked, active matches ended, the content of
   * every message, held message and report they wrote emptied (but a message under an open
   * report keeps its content, the evidence, until the report is resolved), the decisions'
   * reasons and resolution notes about what they wrote emptied, the audit entries by them,
   * about them or about their pairs redacted, the webhook bodies of their pairs cleared, and
   * the account renamed "Deleted user" with an address of no one (`erasedEmailOf(id)`) and no
   * password or platform id (the person signing in again is a new account). Then the engine purges the old versions of the rows from its files as far as it
   * can (SQLite: the WAL checkpointed and truncated; PostgreSQL: a VACUUM of those tables).
   */
  eraseUser(userId: number): Promise<Erasure>;

  /**
   * Stores a held message, after the same checks as `appendMessage` (the pair must be active
   * and the sender in it, else `not_matched`). Idempotent on `(pairId, senderId, clientId)`
   * across held and delivered messages alike. Takes no `seq`.
   */
  holdMessage(message: NewHeldMessage): Promise<HoldResult>;
  heldById(id: number): Promise<HeldMessage | null>;
  /** The message the sender's `clientId` held in the pair (whatever became of it), or null. */
  heldByClientId(pairId: number, senderId: number, clientId: string): Promise<HeldMessage | null>;
  /** Held messages awaiting a decision, oldest first, after the held id `afterId`. */
  pendingHeld(limit: number, afterId?: number): Promise<Paged<HeldMessage>>;
  /**
   * Approves a held message: it enters the pair's messages with the pair's next `seq`, in
   * one transaction. Rejects with `not_found` unless it is held now (a second decision is
   * refused), `not_matched` when the pair has ended.
   */
  approveHeld(id: number, actor: string): Promise<{ held: HeldMessage; message: Message }>;
  /** Rejects a held message with a reason; `not_found` unless it is held now. */
  rejectHeld(id: number, actor: string, reason: string): Promise<HeldMessage>;
  /** The sender's own held and rejected messages in the pair, created in `[from, to)` (open ends when null), oldest first. */
  ownUndelivered(pairId: number, senderId: number, from: Date | null, to: Date | null): Promise<HeldMessage[]>;

  /**
   * Adds a notice that `actorName` viewed the pair, with the pair's next `seq`, unless the
   * pair's newest entry is already such a notice by the same actor (one notice per
   * uninterrupted viewing); resolves with the notice and whether it is new.
   */
  addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }>;
  messageById(id: number): Promise<Message | null>;
  /** Up to `limit` participants' messages of the pair with an id at most `uptoId` (or created at most at `at`), oldest first. */
  messagesUpTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]>;
  pairSummaries(): Promise<PairSummary[]>;

  createReport(messageId: number, reporterId: number, reason: string): Promise<Report>;
  reportById(id: number): Promise<Report | null>;
  /** Reports, oldest first, unresolved only unless `all`. */
  reports(options: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>>;
  /** Whether a participant reported this message (the one window on content under policy `private`). */
  isReported(messageId: number): Promise<boolean>;
  /**
   * Resolves a report with a note; `not_found` when there is none or it was resolved already.
   * When the reported message's sender was erased and no other report of it is open, the
   * message's content (the evidence kept for the report) is emptied in the same transaction.
   */
  resolveReport(id: number, actor: string, note: string): Promise<Report>;

  /** Appends one entry to the audit log. Nothing updates or deletes it. */
  audit(entry: NewAuditEntry): Promise<AuditEntry>;
  /** The audit log newest first, entries with an id below `beforeId`. */
  auditPage(limit: number, beforeId?: number): Promise<Paged<AuditEntry>>;
}
