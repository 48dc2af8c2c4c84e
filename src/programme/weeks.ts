/** Days and ISO weeks as the programme counts them: UTC days since 1970-01-01, weeks from Monday. */
import type { ActivityWeek } from '../protocol/programme.js';
import type { ProgrammeWeek } from '../store/index.js';

export const DAY_MS = 86_400_000;

/** The UTC day number of `date`. */
export const dayOf = (date: Date): number => Math.floor(date.getTime() / DAY_MS);

/** The Monday (a day number) of the week holding `day`; 1970-01-01 was a Thursday. */
export const mondayOf = (day: number): number => Math.floor((day + 3) / 7) * 7 - 3;

/** The ISO 8601 week of the week starting on `monday`: `2026-W49` (the year is its Thursday's). */
export function isoWeek(monday: number): string {
  const thursday = new Date((monday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((dayOf(thursday) - dayOf(new Date(Date.UTC(year, 0, 1)))) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The last `count` weeks up to the one holding `now`, oldest first, with the stored figures and zeros for the rest. */
export function activityWeeks(stored: readonly ProgrammeWeek[], count: number, now: Date): ActivityWeek[] {
  const byMonday = new Map(stored.map((week) => [week.monday, week]));
  const last = mondayOf(dayOf(now));
  return Array.from({ length: count }, (_, i) => {
    const monday = last - (count - 1 - i) * 7;
    const week = byMonday.get(monday);
    return {
      week: isoWeek(monday),
      messages: week?.messages ?? 0,
      active_pairs: week?.activePairs ?? 0,
      new_matches: week?.newMatches ?? 0,
      ended_matches: week?.endedMatches ?? 0,
    };
  });
}
