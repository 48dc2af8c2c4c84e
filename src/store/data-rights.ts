/**
 * The Store's side of data rights: what an export of a user reads, the erasure of a user,
 * and the retention job's deletes.
 */
import type { AuditEntry } from './audit.js';
import type { PairSummary } from './matches.js';
import type { Message } from './message-types.js';
import type { HeldMessage } from './moderation.js';
import type { Report } from './reports.js';

/** What erasing a user changed, for telling the live connections. */
export interface Erasure {
  /** Sessions that were live and are now revoked. */
  revokedSessions: string[];
  /** Pairs that were active and are now ended. */
  endedPairs: number[];
  /** Why the purge after the committed erasure did not complete (to log), or null. */
  purgeProblem: string | null;
}

export interface DataRightsStore {
  /**
   * Deletes up to `limit` of the oldest messages (and held messages) created before `cutoff`,
   * in one short statement; resolves with how many it deleted. Safe on several instances at
   * once: each takes rows the others are not deleting (PostgreSQL `SKIP LOCKED`).
   */
  deleteBefore(cutoff: Date, limit: number): Promise<number>;
  /** Up to `limit` messages sent or received by the user, in every pair they were ever in, with an id above `afterId`, by id. */
  messagesOf(userId: number, afterId: number, limit: number): Promise<Message[]>;
  /** Every pair the user was ever in, ended ones included. */
  pairSummariesOf(userId: number): Promise<PairSummary[]>;
  /** Held and rejected messages the user sent. */
  heldOf(userId: number): Promise<HeldMessage[]>;
  /** Reports the user made. */
  reportsBy(userId: number): Promise<Report[]>;
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
   * can (SQLite: the file rebuilt, the WAL checkpointed and truncated; PostgreSQL: a VACUUM of those tables).
   */
  erase(userId: number): Promise<Erasure>;
}
