/**
 * What reaches a connection while its feed reads from the store, kept in arrival order until
 * the read is done: live messages, and the turns of everything else it sends (typing,
 * receipts, presence…), so that nothing overtakes a message that came before it.
 *
 * A state that a newer one replaces whole (the partner's typing or presence, this user's read
 * state, the match's state) keeps only its newest turn, at that turn's own place: the client
 * sees it no earlier than it arrived, and never an older state after a newer one. So what
 * waits besides messages is at most one turn of each such state, plus receipts (a receipt is
 * sent only when a read marked something, so each needs a message of this user's stored since
 * the last one), moderation decisions (one per held message) and the end of the match.
 */

/** A state whose newest turn replaces any earlier one still waiting. */
export type LatestOnly = 'typing' | 'presence' | 'read_state' | 'match_state';

export type Arrival = { seq: number; frame: string } | { run: () => void; latest: LatestOnly | undefined };

export class Arrivals {
  private readonly list: Arrival[] = [];
  private readonly newest = new Map<LatestOnly, Arrival>();

  /** A live message; the feed decides what to do with it once the read is done. */
  message(seq: number, frame: string): void {
    this.list.push({ seq, frame });
  }

  /** Something else to send (`run` writes it) in its turn; an earlier `latest` of its kind is dropped. */
  turn(run: () => void, latest?: LatestOnly): void {
    const arrival = { run, latest };
    if (latest) {
      const replaced = this.newest.get(latest);
      if (replaced) this.list.splice(this.list.indexOf(replaced), 1);
      this.newest.set(latest, arrival);
    }
    this.list.push(arrival);
  }

  /** Everything, in arrival order. */
  all(): readonly Arrival[] {
    return this.list;
  }
}
