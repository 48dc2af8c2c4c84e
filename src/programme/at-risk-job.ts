/**
 * The at-risk job (PROTOCOL.md Part 9): every `AT_RISK_CHECK_MINUTES` each instance decides
 * every active pair's reasons from the kept counts, compares them with the state last
 * announced, and records the changes. The store applies a change only from the state the job
 * read, so when two instances decide the same change one of them applies it and one
 * `pair.at_risk` or `pair.recovered` event is written. Ended pairs are left as they were:
 * an unmatch is not a recovery.
 */
import type { AlertChange, Store } from '../store/index.js';
import { atRiskReasons, type AtRiskRules } from './at-risk.js';

export interface AtRiskJobOptions {
  store: Pick<Store, 'programme'>;
  rules: AtRiskRules;
  /** How often a run starts; 0: never by itself (tests call `runOnce`). */
  intervalMs: number;
  now: () => Date;
  onError: (error: unknown, context: string) => void;
}

export class AtRiskJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<AlertChange[]> | null = null;

  constructor(private readonly options: AtRiskJobOptions) {
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => void this.runOnce().catch((error: unknown) => options.onError(error, 'checking pairs at risk')), options.intervalMs);
      this.timer.unref();
    }
  }

  /** One check; resolves with the changes this instance applied. A run in progress is joined, not doubled. */
  runOnce(): Promise<AlertChange[]> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async run(): Promise<AlertChange[]> {
    const { store, rules } = this.options;
    const now = this.options.now();
    const [pairs, alerts] = await Promise.all([store.programme.pairCounts(), store.programme.alerts()]);
    const announced = new Map(alerts.map((alert) => [alert.pairId, alert.reasons]));
    const changes: AlertChange[] = [];
    for (const pair of pairs) {
      const reasons = atRiskReasons(pair, rules, now);
      const to = reasons.length > 0 ? reasons.join(',') : null;
      const from = announced.get(pair.pairId) ?? null;
      if (from !== to) changes.push({ pairId: pair.pairId, from, to });
    }
    return changes.length > 0 ? store.programme.recordAlerts(changes, now) : [];
  }
}
