/**
 * What the programme's HTTP API answers (PROTOCOL.md Part 9): a pair's health, the
 * programme's weeks, announcements. Metadata only: no message content.
 */
import type { PublicUser } from './http.js';
import type { AtRiskReason } from './webhooks.js';

export type { AtRiskReason } from './webhooks.js';
export * from './announcements.js';

export interface SideCounts<T = number> {
  mentor: T;
  mentee: T;
}

/** One row of `GET /api/programme/pairs`. */
export interface PairHealthEntry {
  pair_id: string;
  mentor: PublicUser;
  mentee: PublicUser;
  matched_at: string;
  paused: boolean;
  last_message_at: string | null;
  messages_7d: SideCounts;
  messages_28d: SideCounts;
  /** The median minutes each side took to answer the other over 28 days; null without an answer. */
  median_reply_minutes_28d: SideCounts<number | null>;
  /** Who wrote last and has waited since their run of messages began; null when nobody has written. */
  waiting_reply: { from: string; since: string } | null;
  open_reports: number;
  held_waiting: number;
  at_risk: AtRiskReason[];
  /** Messages per week over the last 12 weeks, oldest first (the sparkline). */
  weekly_messages: number[];
}

export interface PairHealthPage {
  pairs: PairHealthEntry[];
  next_cursor: string | null;
}

/** One ISO week of `GET /api/programme/activity`. */
export interface ActivityWeek {
  /** ISO 8601 week, `2026-W49`. */
  week: string;
  messages: number;
  active_pairs: number;
  new_matches: number;
  ended_matches: number;
}

/** The orders of the pair table: at-risk first (default), quietest first, newest match first, by mentor's or mentee's name. */
export const PAIR_SORTS = ['risk', 'quiet', 'matched', 'mentor', 'mentee'] as const;
export type PairSort = (typeof PAIR_SORTS)[number];
