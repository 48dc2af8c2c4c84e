/**
 * Reconnect delays: exponential with full jitter (AWS's "exponential backoff and jitter"),
 * so that the clients of a restarted server do not all come back in the same instant.
 */

/** Bounds of the reconnect delays. */
export interface BackoffOptions {
  /** Upper bound of the first delay, in milliseconds. */
  initialMs: number;
  /** No delay is longer than this. */
  maxMs: number;
}

/** Half a second at first, never more than 15 s. */
export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { initialMs: 500, maxMs: 15_000 };

/** Bounds of the reconnect delays right after a server restart (close 1001). */
export const RESTART_DELAY = { minMs: 250, maxMs: 1000, attempts: 20 } as const;

/**
 * The delay before a reconnect while a restarted server comes back: 250–1000 ms, uniform, the
 * same for each of the first `RESTART_DELAY.attempts` tries. A restart takes about a second,
 * so the usual growth would leave clients waiting several seconds after it is back; the jitter
 * still spreads them out.
 */
export function restartDelay(random: () => number = Math.random): number {
  return Math.round(RESTART_DELAY.minMs + random() * (RESTART_DELAY.maxMs - RESTART_DELAY.minMs));
}

/**
 * The delay before reconnect attempt number `attempt` (0 for the first): a uniform random
 * value in [initialMs/2, min(maxMs, initialMs·2^attempt)]. The floor keeps a flapping
 * server from being hammered; `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(ceiling, options.initialMs / 2);
  return Math.round(floor + random() * (ceiling - floor));
}
