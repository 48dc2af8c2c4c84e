/**
 * Group commit: the appends that arrive in one event-loop turn are stored as one batch, in
 * one transaction, so that durability costs one commit per turn rather than one per message.
 */
import { AppError } from '../errors.js';

/** What an engine supplies: how to commit a batch, and when a failed batch is retried item by item. */
export interface GroupCommitBackend<In, Out> {
  /**
   * Stores `batch` in one transaction and resolves, once it is committed, with one outcome
   * per item in its order: the item's result, or the AppError that refuses it alone. A
   * rejection (or throw) fails the whole batch.
   */
  commit(batch: readonly In[]): Promise<Array<Out | AppError>>;
  /**
   * Whether a batch that failed with `error` may owe it to one of its items (bad data, a
   * constraint, a rolled-back transaction): such a batch is committed again one item at a
   * time, so that only the faulty item fails. Absent: a failed batch fails every item.
   */
  retryAlone?(error: unknown): boolean;
}

interface Pending<In, Out> {
  input: In;
  resolve: (result: Out) => void;
  reject: (error: unknown) => void;
}

/**
 * A queue of appends committed in batches. At most one batch is in flight, so batches
 * commit in arrival order; each caller settles with its own outcome.
 */
export class GroupCommit<In, Out> {
  private pending: Array<Pending<In, Out>> = [];
  /** The running commit loop; at most one. */
  private running: Promise<void> | null = null;

  constructor(private readonly backend: GroupCommitBackend<In, Out>) {}

  /**
   * Queues `input` for the next batch (the current turn's appends, committed on the next
   * turn). Resolves once its batch is committed; rejects with its own AppError, or with the
   * backend's error when its batch failed as a whole.
   */
  push(input: In): Promise<Out> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.running ??= this.run();
    });
  }

  /** Resolves once everything queued so far, and anything queued meanwhile, is settled. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Commits what is pending, batch after batch, until nothing is; never rejects. */
  private async run(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await this.commit(batch);
    }
    this.running = null;
  }

  private async commit(batch: Array<Pending<In, Out>>): Promise<void> {
    let outcomes: Array<Out | AppError>;
    try {
      outcomes = await this.backend.commit(batch.map((item) => item.input));
    } catch (error) {
      if (batch.length > 1 && this.backend.retryAlone?.(error)) {
        for (const item of batch) await this.commit([item]);
      } else {
        for (const item of batch) item.reject(error);
      }
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome instanceof AppError) item.reject(outcome);
      else item.resolve(outcome);
    });
  }
}
