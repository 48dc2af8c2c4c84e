/**
 * Exponential backoff with full jitter: the wait before the next attempt is drawn uniformly
 * from zero to the exponential bound, so that receivers coming back from an outage are not
 * hit by every sender at the same instant.
 */

/** The wait before attempt `attempts + 1`, after `attempts` (≥ 1) failed ones: uniform in [0, min(maxMs, baseMs × 2^(attempts−1))). */
export function fullJitter(attempts: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const bound = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 52));
  return Math.floor(random() * bound);
}
