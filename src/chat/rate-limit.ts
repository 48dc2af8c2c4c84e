/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. One token per inbound frame lets
 * a person type in bursts while a script that floods is held to the sustained rate.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt = performance.now();

  constructor(private readonly perSecond: number, private readonly burst: number) {
    this.tokens = burst;
  }

  /** Takes a token; false when none is left. */
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
