/**
 * The retention job of `RETENTION_DAYS`: deletes the messages (and held messages) older than
 * that, in bounded batches with a turn of the event loop between them, so the message path
 * never waits behind a long delete. Every instance may run it at once: each batch takes rows
 * no other instance is deleting (see `DataRightsStore.deleteBefore`).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DataRightsStore } from './types.js';

const DAY_MS = 24 * 3600 * 1000;

export interface RetentionOptions {
  store: Pick<DataRightsStore, 'deleteBefore'>;
  days: number;
  /** Rows one statement deletes at most. */
  batchSize: number;
  /** How often a run starts; 0: never by itself (tests call `runOnce`). */
  intervalMs: number;
  /** The clock: the job deletes what is older than `now() - days`. */
  now?: () => Date;
  onError: (error: unknown, context: string) => void;
}

export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(private readonly options: RetentionOptions) {
    if (options.intervalMs > 0) {
      this.timer = setInterval(() => void this.runOnce().catch((error: unknown) => options.onError(error, 'applying RETENTION_DAYS')), options.intervalMs);
      this.timer.unref();
    }
  }

  /** Deletes everything older than the cutoff, batch by batch; resolves with how many rows. A run in progress is joined, not doubled. */
  runOnce(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Starts no more runs; a batch in flight finishes. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  private async run(): Promise<number> {
    const { store, days, batchSize } = this.options;
    const cutoff = new Date((this.options.now ?? (() => new Date()))().getTime() - days * DAY_MS);
    let total = 0;
    while (!this.stopped) {
      const deleted = await store.deleteBefore(cutoff, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
      await nextTurn();
    }
    return total;
  }
}
