/**
 * Work that arrives in bursts, run a bounded slice per event-loop turn. A storm of thousands
 * of handshakes (the gateway's use) lands in one poll phase; run there, it would hold up every chat
 * frame read in the same phase (and the group commit waiting for the next turn) until all of
 * them were done. Queued here, each turn runs at most `perTurn` of them in its check phase,
 * and the poll phase in between reads and answers chat as usual.
 */
export class TurnSlicer {
  private queue: Array<(() => void) | undefined> = [];
  private head = 0;
  /** Tasks pushed ahead: run first, in their own arrival order. */
  private ahead: Array<() => void> = [];
  /** With one task per slice and both lanes waiting: whether this slice is the others'. */
  private othersTurn = false;
  private scheduled = false;

  /** `onError` hears of a task that threw; the rest of the slice still runs. */
  constructor(
    private readonly perTurn: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Tasks waiting for their turn. */
  get size(): number {
    return this.ahead.length + this.queue.length - this.head;
  }

  /** Runs `task` in a later turn, after everything queued before it. */
  push(task: () => void): void {
    this.queue.push(task);
    this.schedule();
  }

  /** Runs `task` in a later turn, ahead of the tasks queued with `push` (which keep a quarter of each turn). */
  pushAhead(task: () => void): void {
    this.ahead.push(task);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.runSlice());
  }

  private runSlice(): void {
    this.scheduled = false;
    const first = this.ahead.splice(0, this.aheadQuota());
    for (const task of first) this.run(task);
    const end = Math.min(this.head + this.perTurn - first.length, this.queue.length);
    while (this.head < end) {
      const task = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.run(task);
    }
    if (this.ahead.length > 0) this.schedule();
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else {
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.schedule();
    }
  }

  /**
   * How many of this slice go to the tasks pushed ahead: all of it while nothing else waits,
   * else all but a quarter, so that a lane ahead that never empties (every talking socket put
   * off, turn after turn) cannot starve the rest; with one task per slice, the two take turns.
   */
  private aheadQuota(): number {
    if (this.ahead.length === 0 || this.head === this.queue.length) return this.perTurn;
    const quota = this.perTurn - Math.ceil(this.perTurn / 4);
    if (quota > 0) return quota;
    this.othersTurn = !this.othersTurn;
    return this.othersTurn ? 0 : this.perTurn;
  }

  private run(task: () => void): void {
    try {
      task();
    } catch (error) {
      this.onError(error);
    }
  }
}
