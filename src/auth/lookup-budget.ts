/**
 * How many lookups one client address may make Tandem send to the platform: a token bucket
 * per address (`burst` at once, `perSecond` after). Without it, every anonymous request with a
 * made-up cookie would cost one call to the platform. Bounded in memory: past `maxAddresses`
 * the buckets that are full again are forgotten, then the oldest.
 */
export interface LookupBudgetOptions {
  burst: number;
  perSecond: number;
  maxAddresses?: number;
  now?: () => number;
}

export class LookupBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;
  private readonly maxAddresses: number;

  constructor(private readonly options: LookupBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.maxAddresses = options.maxAddresses ?? 10_000;
  }

  /** Spends one lookup of `address`; false when its budget is spent. */
  take(address: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(address);
    const tokens = bucket ? Math.min(this.options.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.options.perSecond) : this.options.burst;
    if (tokens < 1) return false;
    if (!bucket && this.buckets.size >= this.maxAddresses) this.sweep(now);
    this.buckets.set(address, { tokens: tokens - 1, at: now });
    return true;
  }

  private sweep(now: number): void {
    const fullAfterMs = (this.options.burst / this.options.perSecond) * 1000;
    for (const [address, bucket] of this.buckets) if (now - bucket.at >= fullAfterMs) this.buckets.delete(address);
    while (this.buckets.size >= this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
  }
}
