/**
 * A token bucket: `burst` tokens, refilled at `perSecond`. One token per inbound frame lets
 * a person type in bursts while a script that floods is kept to the sustained rate.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
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

  /** True when the bucket has refilled to its burst (as good as new). */
  isFull(): boolean {
    return this.tokens + ((performance.now() - this.updatedAt) / 1000) * this.perSecond >= this.burst;
  }
}

/**
 * One token bucket per key (a user), for limits that must not multiply with connections or
 * requests. A bucket that has refilled completely is the same as a fresh one, so it is
 * forgotten on the next sweep: memory stays proportional to the keys active in the last
 * `burst / perSecond` seconds.
 */
export class KeyedBuckets {
  private readonly buckets = new Map<string | number, TokenBucket>();
  private sweptAt = performance.now();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes a token from `key`'s bucket; false when none is left. */
  take(key: string | number): boolean {
    this.sweep();
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(this.perSecond, this.burst)));
    return bucket.take();
  }

  /** Seconds until `key` has a token again (at least 1, for `Retry-After`). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(1 / this.perSecond));
  }

  private sweep(): void {
    const now = performance.now();
    const refillMs = (this.burst / this.perSecond) * 1000;
    if (now - this.sweptAt < refillMs) return;
    this.sweptAt = now;
    for (const [key, bucket] of this.buckets) if (bucket.isFull()) this.buckets.delete(key);
  }
}
