/** The pair-count row both engines read (see ProgrammeStore.pairCounts), and its mapping; `T` is how the engine returns a time. */
import type { PairCounts } from './programme.js';
import type { User } from './users.js';

export interface PairCountsRow<T> {
  pair_id: number;
  mentor_id: number;
  mentee_id: number;
  um_email: string;
  um_first_name: string;
  um_last_name: string;
  um_role: User['role'];
  um_created_at: T;
  ue_email: string;
  ue_first_name: string;
  ue_last_name: string;
  ue_role: User['role'];
  ue_created_at: T;
  matched_at: T;
  paused: number | boolean;
  last_message_at: T | null;
  last_side: 'mentor' | 'mentee' | null;
  run_started_at: T | null;
  recent_count: number | null;
  recent_mentor: number | null;
  open_reports: number;
  held_waiting: number;
}

export function toPairCounts<T>(row: PairCountsRow<T>, time: (value: T) => Date): PairCounts {
  const person = (id: number, side: 'um' | 'ue'): User => ({
    id,
    email: row[`${side}_email`],
    firstName: row[`${side}_first_name`],
    lastName: row[`${side}_last_name`],
    role: row[`${side}_role`],
    createdAt: time(row[`${side}_created_at`]),
  });
  return {
    pairId: row.pair_id,
    mentorId: row.mentor_id,
    menteeId: row.mentee_id,
    mentor: person(row.mentor_id, 'um'),
    mentee: person(row.mentee_id, 'ue'),
    matchedAt: time(row.matched_at),
    paused: row.paused === true || row.paused === 1,
    lastMessageAt: row.last_message_at === null ? null : time(row.last_message_at),
    lastSide: row.last_side,
    runStartedAt: row.run_started_at === null ? null : time(row.run_started_at),
    recentCount: row.recent_count ?? 0,
    recentMentor: row.recent_mentor ?? 0,
    openReports: row.open_reports,
    heldWaiting: row.held_waiting,
  };
}
