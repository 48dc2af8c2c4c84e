/**
 * The Store's record of what admins did: the append-only audit log, and the notice a pair
 * sees in its timeline when an admin viewed it.
 */
import type { Message, Paged } from './message-types.js';

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

export interface AuditStore {
  /** Appends one entry to the audit log. Nothing updates or deletes it. */
  record(entry: NewAuditEntry): Promise<AuditEntry>;
  /** The audit log newest first, entries with an id below `beforeId`. */
  page(limit: number, beforeId?: number): Promise<Paged<AuditEntry>>;
  /**
   * Adds a notice that `actorName` viewed the pair, with the pair's next `seq`, unless the
   * pair's newest entry is already such a notice by the same actor (one notice per
   * uninterrupted viewing); resolves with the notice and whether it is new.
   */
  addViewedNotice(pairId: number, actorId: number, actorName: string): Promise<{ notice: Message; created: boolean }>;
}
