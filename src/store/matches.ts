/** The Store's matches: which mentor and mentee are paired, and the pairs that outlive them. */
import type { User } from './users.js';

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

/** A pair as admins see it under every policy: metadata, no content. */
export interface PairSummary {
  pairId: number;
  mentorId: number;
  menteeId: number;
  active: boolean;
  messageCount: number;
  lastActivity: Date | null;
}

export interface MatchOptions {
  /** Most active mentees the mentor may have, this one included; null or absent: no limit. */
  mentorCapacity?: number | null;
  /** Who made the change, for its webhook event (`match.created` / `match.ended`). */
  actor?: string | null;
  /** Why, for its webhook event; `match.ended` without one says `unmatched`. */
  reason?: string | null;
}

/** Who ends a match, and whether they must take part in it. */
export interface EndMatchOptions extends Pick<MatchOptions, 'actor' | 'reason'> {
  /** End the match only if this user is its mentor or its mentee. */
  participantId?: number;
}

/** How `MatchStore.put` treats a mentee who has another mentor. */
export interface PutMatchOptions extends MatchOptions {
  /** End the mentee's other match first, instead of refusing with `already_matched`. */
  replace: boolean;
}

/** What `MatchStore.put` did. */
export interface PutMatchResult {
  match: Match;
  /** False when the pair was already matched: nothing was written. */
  created: boolean;
  /** The match `replace` ended, in the same transaction; null when none was. */
  ended: Match | null;
}

export interface MatchStore {
  /**
   * Matches a mentee with a mentor. Rejects with `user_not_found`, `wrong_role`,
   * `already_matched`, or `mentor_at_capacity` when the mentor already has
   * `options.mentorCapacity` active mentees (checked under a lock of the mentor, so concurrent
   * matches on any instance never exceed it). Rematching a former pair reactivates it,
   * history and `seq` included. With the outbox on, `match.created` is written in the same
   * transaction, with `options.actor` and `options.reason`.
   */
  create(mentorEmail: string, menteeEmail: string, options?: MatchOptions): Promise<Match>;
  /**
   * Makes `mentorEmail` the mentee's mentor, idempotently: resolves with `created: false`
   * when it already is. Otherwise as `create`, except that with `replace` the mentee's
   * other active match is ended first, in the same transaction. Concurrent calls for one
   * mentee, on any instance, are applied one after the other.
   */
  put(menteeEmail: string, mentorEmail: string, options: PutMatchOptions): Promise<PutMatchResult>;
  /**
   * Ends the mentee's active match; null when there is none, or when `options.participantId`
   * is given and that user is not in it (checked in the same transaction, so a participant can
   * never end a match made since they last looked). With the outbox on, `match.ended` is
   * written in the same transaction, with `options.actor` and `options.reason`.
   */
  end(menteeEmail: string, options?: EndMatchOptions): Promise<Match | null>;
  /**
   * Pauses (or resumes) the mentee's active match; null when there is none. Taken under the
   * pair's lock, like an append: a message committed before it is kept, any later one refused.
   */
  setPaused(menteeEmail: string, paused: boolean): Promise<Match | null>;
  /** Active matches: all of them, or those in which `userId` takes part. */
  list(userId?: number): Promise<Match[]>;
  /**
   * The active pair of `user` with the user whose email is `partnerEmail`, provided the
   * partner holds the counterpart role; null otherwise, whatever the reason.
   */
  activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null>;
  /** Like `activePairWith`, but whether the pair is active or ended (the archive). */
  pairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null>;
  pairById(pairId: number): Promise<Pair | null>;
  /** Every pair, ended ones included, as admins see them. */
  pairSummaries(): Promise<PairSummary[]>;
}
