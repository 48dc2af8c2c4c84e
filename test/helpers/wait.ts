/** Bounded polling for conditions that become true on their own (a backend coming back). */
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_LIMIT_MS = 20_000;

/** Calls `check` until it returns true; fails the test, naming `what`, past the limit. */
export async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = POLL_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

/** Resolves when `GET /readyz` answers `status`. */
export function readiness(base: string, status: 200 | 503): Promise<void> {
  return until(`${base}/readyz to answer ${status}`, async () => {
    try {
      return (await fetch(`${base}/readyz`)).status === status;
    } catch {
      return false;
    }
  });
}
