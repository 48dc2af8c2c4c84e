/** The Store's reports: a participant's report of a delivered message, and its resolution. */
import type { Paged } from './message-types.js';

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

export interface ReportStore {
  create(messageId: number, reporterId: number, reason: string): Promise<Report>;
  byId(id: number): Promise<Report | null>;
  /** Reports, oldest first, unresolved only unless `all`. */
  list(options: { all: boolean; limit: number; afterId?: number }): Promise<Paged<Report>>;
  /** Whether a participant reported this message (the one window on content under policy `private`). */
  isReported(messageId: number): Promise<boolean>;
  /** Which of `messageIds` this reporter reported (so their page keeps showing "Reported"); in no particular order. */
  reportedBy(reporterId: number, messageIds: readonly number[]): Promise<number[]>;
  /**
   * Resolves a report with a note; `not_found` when there is none or it was resolved already.
   * When the reported message's sender was erased and no other report of it is open, the
   * message's content (the evidence kept for the report) is emptied in the same transaction.
   */
  resolve(id: number, actor: string, note: string): Promise<Report>;
}
