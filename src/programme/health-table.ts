/**
 * The programme's pair table (`GET /api/programme/pairs` and its CSV): every active or paused
 * pair's counts with its at-risk reasons, filtered, ordered and paged; then, for the rows
 * shown only, the per-day counts and answers that the 7- and 28-day figures, the medians and
 * the sparkline come from. Reads no message: a table of 10 000 pairs costs a few queries.
 */
import type { PublicUser } from '../protocol/http.js';
import type { PairHealthEntry, PairSort } from '../protocol/programme.js';
import type { PairCounts, PairDay, PairReply, Store, User } from '../store/index.js';
import { atRiskReasons, type AtRiskRules } from './at-risk.js';
import { DAY_MS, dayOf, mondayOf } from './weeks.js';

/** Weeks in a pair's sparkline. */
export const SPARKLINE_WEEKS = 12;
/** Rows read per query when the whole table is built (the CSV). */
const CHUNK = 500;

export interface HealthQuery {
  sort: PairSort;
  atRiskOnly: boolean;
  /** Words every row must hold in a participant's name or email (case-insensitive); empty: all. */
  search: string;
  offset: number;
  /** Rows of the page; null: every row (the CSV). */
  limit: number | null;
  rules: AtRiskRules;
  now: Date;
}

interface Ranked {
  counts: PairCounts;
  mentor: User;
  mentee: User;
  reasons: PairHealthEntry['at_risk'];
}

const person = (user: User): PublicUser => ({ email: user.email, first_name: user.firstName, last_name: user.lastName, role: user.role });
const nameOf = (user: User) => `${user.firstName} ${user.lastName}`.toLocaleLowerCase('en');

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const value = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return Math.round(value * 10) / 10;
}

const quietSince = (row: Ranked) => (row.counts.lastMessageAt ?? row.counts.matchedAt).getTime();

const ORDERS: Record<PairSort, (a: Ranked, b: Ranked) => number> = {
  // Most reasons first, then the longest silence.
  risk: (a, b) => b.reasons.length - a.reasons.length || quietSince(a) - quietSince(b),
  quiet: (a, b) => quietSince(a) - quietSince(b),
  matched: (a, b) => b.counts.matchedAt.getTime() - a.counts.matchedAt.getTime(),
  mentor: (a, b) => nameOf(a.mentor).localeCompare(nameOf(b.mentor), 'en'),
  mentee: (a, b) => nameOf(a.mentee).localeCompare(nameOf(b.mentee), 'en'),
};

function matches(row: Ranked, words: readonly string[]): boolean {
  const text = [row.mentor.email, nameOf(row.mentor), row.mentee.email, nameOf(row.mentee)].join(' ').toLocaleLowerCase('en');
  return words.every((word) => text.includes(word));
}

/** The rows of the query, and whether more follow. */
export async function healthTable(store: Store, query: HealthQuery): Promise<{ rows: PairHealthEntry[]; more: boolean }> {
  const counts = await store.programme.pairCounts();
  const words = query.search.toLocaleLowerCase('en').split(' ').filter(Boolean);
  const ranked = counts
    .map((pair) => ({
      counts: pair,
      mentor: pair.mentor,
      mentee: pair.mentee,
      reasons: atRiskReasons(pair, query.rules, query.now),
    }))
    .filter((row) => (!query.atRiskOnly || row.reasons.length > 0) && matches(row, words))
    .sort((a, b) => ORDERS[query.sort](a, b) || a.counts.pairId - b.counts.pairId);
  const end = query.limit === null ? ranked.length : query.offset + query.limit;
  const page = ranked.slice(query.offset, end);
  const rows: PairHealthEntry[] = [];
  for (let i = 0; i < page.length; i += CHUNK) rows.push(...(await withFigures(store, page.slice(i, i + CHUNK), query.now)));
  return { rows, more: end < ranked.length };
}

async function withFigures(store: Store, page: readonly Ranked[], now: Date): Promise<PairHealthEntry[]> {
  const pairIds = page.map((row) => row.counts.pairId);
  const today = dayOf(now);
  const firstMonday = mondayOf(today) - (SPARKLINE_WEEKS - 1) * 7;
  const [days, replies] = await Promise.all([
    store.programme.days(pairIds, Math.min(firstMonday, today - 27)),
    store.programme.replies(pairIds, new Date(now.getTime() - 28 * DAY_MS)),
  ]);
  const daysOf = groupBy(days);
  const repliesOf = groupBy(replies);
  return page.map(({ counts, mentor, mentee, reasons }) => {
    const pairDays = daysOf.get(counts.pairId) ?? [];
    const within = (n: number) => {
      const recent = pairDays.filter((day) => day.day > today - n && day.day <= today);
      return { mentor: sum(recent.map((day) => day.mentor)), mentee: sum(recent.map((day) => day.mentee)) };
    };
    const answers = repliesOf.get(counts.pairId) ?? [];
    const weekly = Array.from({ length: SPARKLINE_WEEKS }, (_, week) => {
      const monday = firstMonday + week * 7;
      return sum(pairDays.filter((day) => day.day >= monday && day.day < monday + 7).map((day) => day.mentor + day.mentee));
    });
    const waiting =
      counts.lastSide && counts.runStartedAt
        ? { from: (counts.lastSide === 'mentor' ? mentor : mentee).email, since: counts.runStartedAt.toISOString() }
        : null;
    return {
      pair_id: String(counts.pairId),
      mentor: person(mentor),
      mentee: person(mentee),
      matched_at: counts.matchedAt.toISOString(),
      paused: counts.paused,
      last_message_at: counts.lastMessageAt?.toISOString() ?? null,
      messages_7d: within(7),
      messages_28d: within(28),
      median_reply_minutes_28d: {
        mentor: median(answers.filter((reply) => reply.side === 'mentor').map((reply) => reply.minutes)),
        mentee: median(answers.filter((reply) => reply.side === 'mentee').map((reply) => reply.minutes)),
      },
      waiting_reply: waiting,
      open_reports: counts.openReports,
      held_waiting: counts.heldWaiting,
      at_risk: reasons,
      weekly_messages: weekly,
    };
  });
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

function groupBy<T extends PairDay | PairReply>(rows: readonly T[]): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const row of rows) {
    let group = groups.get(row.pairId);
    if (!group) groups.set(row.pairId, (group = []));
    group.push(row);
  }
  return groups;
}
