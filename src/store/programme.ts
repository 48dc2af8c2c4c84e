/**
 * The Store's view of the programme (PROTOCOL.md Part 9): the counts a trigger keeps as
 * messages are stored (see migration 016), read without scanning messages, and the at-risk
 * state the job last announced. Metadata only: nothing here reads a message's content.
 */

import type { User } from './users.js';

export type PairSide = 'mentor' | 'mentee';

/** Per side. */
export interface BySide<T> {
  mentor: T;
  mentee: T;
}

/** What the programme table needs of one active or paused pair, from its kept counts. */
export interface PairCounts {
  pairId: number;
  mentorId: number;
  menteeId: number;
  /** The two people, read in the same query (the table shows their names). */
  mentor: User;
  mentee: User;
  matchedAt: Date;
  paused: boolean;
  lastMessageAt: Date | null;
  /** The side of the newest message, and when that side's run of unanswered messages began. */
  lastSide: PairSide | null;
  runStartedAt: Date | null;
  /** Of the pair's last (at most 20) messages, how many there are and how many are the mentor's. */
  recentCount: number;
  recentMentor: number;
  openReports: number;
  heldWaiting: number;
}

/** Messages of one pair on one UTC day (days since 1970-01-01). */
export interface PairDay {
  pairId: number;
  day: number;
  mentor: number;
  mentee: number;
}

/** One answer: `side` answered the other side's run, `minutes` after it began. */
export interface PairReply {
  pairId: number;
  side: PairSide;
  minutes: number;
}

/** One week (its Monday, in days since 1970-01-01) of the whole programme. */
export interface ProgrammeWeek {
  monday: number;
  messages: number;
  activePairs: number;
  newMatches: number;
  endedMatches: number;
}

/** The reasons last announced for a pair (sorted, comma-separated), and since when. */
export interface PairAlert {
  pairId: number;
  reasons: string;
  since: Date;
}

/**
 * A change of a pair's at-risk state: from the reasons the caller read (null: not at risk) to
 * the reasons it decided (null: recovered).
 */
export interface AlertChange {
  pairId: number;
  from: string | null;
  to: string | null;
}

export interface ProgrammeStore {
  /** Every active or paused pair's kept counts, in pair id order. */
  pairCounts(): Promise<PairCounts[]>;
  /** The per-day counts of `pairIds` from day `fromDay` on. */
  days(pairIds: readonly number[], fromDay: number): Promise<PairDay[]>;
  /** The answers in `pairIds` since `since`. */
  replies(pairIds: readonly number[], since: Date): Promise<PairReply[]>;
  /** The programme's weeks whose Monday is on or after `fromMonday`, oldest first; weeks with nothing in them are left out. */
  weeks(fromMonday: number): Promise<ProgrammeWeek[]>;
  /** Every pair's announced at-risk state. */
  alerts(): Promise<PairAlert[]>;
  /**
   * Applies each change whose `from` is still the stored state, in one transaction, and
   * writes its webhook event there (`pair.at_risk` with the reasons, or `pair.recovered`):
   * of two instances deciding the same change, one applies it and one event is written. The
   * changes it applied.
   */
  recordAlerts(changes: readonly AlertChange[], now: Date): Promise<AlertChange[]>;
}
