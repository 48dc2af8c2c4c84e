/**
 * Why a pair is at risk (PROTOCOL.md Part 9), decided from the counts kept as messages are
 * stored: no content is read. A paused pair is waiting on the programme, not failing on its
 * own: only an open report puts it at risk.
 */
import { AT_RISK_REASONS, type AtRiskReason } from '../protocol/webhooks.js';
import type { PairCounts } from '../store/index.js';

const HOUR_MS = 3_600_000;

export interface AtRiskRules {
  /** No message for this many days (from the match for a pair that never wrote). */
  silentDays: number;
  /** A mentee's messages unanswered by the mentor for this many hours. */
  unansweredHours: number;
}

/** One side wrote at least this share of the last messages (at most 20)… */
export const ONE_SIDED_SHARE = 0.8;
/** …once the pair has written at least this many. */
export const ONE_SIDED_MIN_MESSAGES = 10;

export function atRiskReasons(pair: PairCounts, rules: AtRiskRules, now: Date): AtRiskReason[] {
  const reasons = new Set<AtRiskReason>();
  if (!pair.paused) {
    const quietSince = pair.lastMessageAt ?? pair.matchedAt;
    if (now.getTime() - quietSince.getTime() >= rules.silentDays * 24 * HOUR_MS) reasons.add('silent');
    if (pair.lastSide === 'mentee' && pair.runStartedAt && now.getTime() - pair.runStartedAt.getTime() >= rules.unansweredHours * HOUR_MS) {
      reasons.add('unanswered');
    }
    const { recentCount, recentMentor } = pair;
    if (recentCount >= ONE_SIDED_MIN_MESSAGES && Math.max(recentMentor, recentCount - recentMentor) >= ONE_SIDED_SHARE * recentCount) reasons.add('one_sided');
  }
  if (pair.openReports > 0) reasons.add('reported');
  return AT_RISK_REASONS.filter((reason) => reasons.has(reason));
}
