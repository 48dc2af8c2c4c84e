/**
 * What one connection receives, in which order: its pair's messages, its own answers among
 * them, and everything else after what arrived before it. Three rules, kept here and nowhere
 * else (the outbound writes, the feed decides when):
 *
 * 1. Each message once, in `seq` order. Live messages come from the channel layer, which may
 *    lose or reorder them; a message beyond the next one means something was missed, so
 *    later live messages wait while the gap is read from the store. Catching up (resume, a
 *    layer reconnect, the delivery check) takes the same path, page by page, reading the next
 *    page only once the socket took the previous one.
 *    A gap the store cannot fill — a page that brings nothing where a message is missing,
 *    read once more with the same result — is an inconsistency no wait can mend: the feed
 *    stops and says so (`onGap`), and the connection starts again from where its client is.
 *    So every read either moves `seq` on or ends the feed; nothing reads in a loop.
 * 2. An answer after the echoes of the connection's earlier messages. Every inbound
 *    `chat_message` takes a slot in a queue, and so does every error frame; the head slot
 *    goes out (or is passed) as soon as it can, the rest wait their turn:
 *
 *      storing ──stored(seq)──────► echo(seq) ──message seq delivered──► done
 *         ├──────original(seq)───► original ──at the head: see below───► done
 *         └──────answer(frame)───► frame ──at the head: sent───────────► done
 *
 *    An own message's echo is the `chat_message` itself, delivered by rule 1; its slot only
 *    keeps later error frames behind it. When something waits behind an echo whose message
 *    has not arrived live, the message is read from the store instead of waited for.
 *    A retry (its `client_id` stored already, as `seq`) is answered by that message, and
 *    rule 1 applies to it too: at the head, a `seq` the connection has not reached is
 *    delivered in its place, as an echo; one it already sent is not sent again (that frame,
 *    with the `client_id`, was the answer); one from before the connection started (not
 *    caught up to) is sent only if nothing later went out yet, never out of order.
 * 3. Everything else after the messages that arrived before it. Typing, receipts, presence,
 *    states and the end of the match take their turn (`inTurn`): at once, unless the feed is
 *    reading from the store; then they wait with the live messages, in arrival order (see
 *    `Arrivals`), so a receipt never overtakes the message it acknowledges. Only frames that
 *    precede a close (`connection_established` aside) go out at once, from the outbound.
 */
import { recordGapUnfilled, recordMessagesDelivered, type DeliveryPath } from '../metrics.js';
import { Arrivals, type LatestOnly } from './arrivals.js';
import type { FeedDeps, Gap, OwnMessage } from './feed-types.js';

export type { FeedDeps, FeedSource, Gap, OwnMessage } from './feed-types.js';

/** How many stored messages one read fetches at most, unless the deps say otherwise. */
const PAGE = 500;
/** A page that brings nothing where a message is missing is read this many more times before the gap counts as the store's. */
const RE_READS = 1;

type Slot =
  | { state: 'storing' }
  | { state: 'echo'; seq: number; fetched: boolean }
  | { state: 'original'; seq: number; frame: string }
  | { state: 'frame'; frame: string };

/** One connection's messages and answers, by the two rules above; silent once stopped. */
export class MessageFeed {
  /** The `seq` of the last message handed to the client, or where the connection started. */
  private lastSeq = 0;
  /** The highest `seq` actually sent on this connection; below `lastSeq` only before the first. */
  private sentSeq = 0;
  /** Live messages and other turns waiting while the store is read, in arrival order. */
  private waiting: Arrivals | null = null;
  private reading: Promise<void> | null = null;
  /** Rule 2's queue; a cell's slot changes state in place, keeping its place. */
  private readonly slots: Array<{ slot: Slot }> = [];
  private readonly idle: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly deps: FeedDeps) {}

  /** Starts after `seq`: messages up to it are not this connection's to deliver. */
  startAfter(seq: number): void {
    this.lastSeq = seq;
  }

  /** A live message from the layer; repeats and stale ones are dropped. */
  offer(seq: number, frame: string): void {
    if (this.stopped) return;
    if (this.waiting) return this.waiting.message(seq, frame);
    if (seq <= this.lastSeq) return;
    if (seq === this.lastSeq + 1) {
      this.lastSeq = this.sentSeq = seq;
      this.deps.send(frame);
      recordMessagesDelivered('live');
      if (this.slots.length > 0) this.flush();
      return;
    }
    this.waiting = new Arrivals();
    this.waiting.message(seq, frame);
    void this.read(seq - 1);
  }

  /**
   * Delivers everything up to `seq` from the store, live messages and turns waiting meanwhile;
   * resolves when done. `path` names, for the metrics, why the messages had to be read.
   */
  catchUpTo(seq: number, path: DeliveryPath = 'store'): Promise<void> {
    if (this.reading) return this.reading.then(() => this.catchUpTo(seq, path));
    if (this.stopped || seq <= this.lastSeq) return Promise.resolve();
    this.waiting ??= new Arrivals();
    return this.read(seq, path);
  }

  /**
   * Runs `send` (it writes a frame that is not a message) after the messages that arrived
   * before it (rule 3): at once unless the store is being read. `latest`: only the newest
   * waiting turn of that kind runs.
   */
  inTurn(send: () => void, latest?: LatestOnly): void {
    if (this.stopped) return;
    if (this.waiting) this.waiting.turn(send, latest);
    else send();
  }

  /** Takes a slot for an inbound `chat_message`: error frames queued after it wait for its echo. */
  own(): OwnMessage {
    const cell = new OwnSlot(this);
    this.slots.push(cell);
    return cell;
  }

  /** Queues a frame (an error) behind the echoes of every own message taken before it; sent at once if none is pending. */
  queue(frame: string): void {
    if (this.stopped) return;
    this.slots.push({ slot: { state: 'frame', frame } });
    this.flush();
  }

  /** Resolves once the queue is empty — every own message echoed, every error sent — or the feed stopped. */
  drained(): Promise<void> {
    if (this.stopped || this.slots.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idle.push(resolve);
      this.flush();
    });
  }

  /** Sends nothing more and reads nothing more; pending `drained()` calls resolve. */
  stop(): void {
    this.stopped = true;
    this.waiting = null;
    this.slots.length = 0;
    this.wake();
  }

  /** @internal An own message's slot moved on (see `OwnSlot`). */
  settle(cell: { slot: Slot }, next: Slot): void {
    cell.slot = next;
    if (!this.stopped) this.flush();
  }

  /** Sends or passes slots from the head while it can; the one state machine of rule 2. */
  private flush(): void {
    while (!this.stopped && this.slots.length > 0) {
      const head = this.slots[0]!.slot;
      if (head.state === 'storing') return;
      if (head.state === 'original' && head.seq > this.lastSeq) {
        this.slots[0]!.slot = { state: 'echo', seq: head.seq, fetched: false };
        continue;
      }
      if (head.state === 'echo' && head.seq > this.lastSeq) return this.fetchEcho(head);
      this.slots.shift();
      if (head.state === 'frame' && head.frame !== '') this.deps.send(head.frame);
      if (head.state === 'original' && head.seq > this.sentSeq) this.sendOriginal(head.seq, head.frame);
    }
    this.wake();
  }

  /**
   * A frame or a drain waits behind an echo that has not come live: read it, once. Other own
   * messages behind it are no reason (their echoes come live in `seq` order anyway).
   */
  private fetchEcho(head: Slot & { state: 'echo' }): void {
    if (head.fetched) return;
    if (this.idle.length === 0 && !this.slots.some((cell) => cell.slot.state === 'frame')) return;
    head.fetched = true;
    void this.catchUpTo(head.seq);
  }

  /** A retry of a message from before this connection started, sent while nothing later went out. */
  private sendOriginal(seq: number, frame: string): void {
    this.sentSeq = seq;
    this.deps.send(frame);
    recordMessagesDelivered('store');
  }

  private wake(): void {
    if ((this.slots.length > 0 && !this.stopped) || this.idle.length === 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private read(untilSeq: number, path: DeliveryPath = 'store'): Promise<void> {
    this.reading = this.readPages(untilSeq, path)
      .then((gap) => {
        if (gap === null || this.stopped) return;
        this.stop();
        recordGapUnfilled();
        this.deps.onGap(gap);
      })
      .catch((error: unknown) => {
        if (this.stopped) return;
        this.stop();
        this.deps.onFailure(error);
      })
      .finally(() => {
        this.reading = null;
        const waiting = this.waiting?.all() ?? [];
        this.waiting = null;
        // Offering a message may start another read: what follows it waits again.
        for (const arrival of waiting) {
          if ('seq' in arrival) this.offer(arrival.seq, arrival.frame);
          else this.inTurn(arrival.run, arrival.latest);
        }
      });
    return this.reading;
  }

  /** Reads until `untilSeq` is delivered or the feed stopped; resolves with the gap the store could not fill, if any. */
  private async readPages(untilSeq: number, path: DeliveryPath): Promise<Gap | null> {
    const pageSize = this.deps.pageSize ?? PAGE;
    let emptyReads = 0;
    while (this.lastSeq < untilSeq && !this.stopped) {
      const page = await this.deps.source.after(this.deps.pairId, this.lastSeq, Math.min(pageSize, untilSeq - this.lastSeq));
      const before = this.lastSeq;
      let written: Promise<void> = Promise.resolve();
      for (const message of page) {
        if (this.stopped || message.seq !== this.lastSeq + 1) break;
        this.lastSeq = this.sentSeq = message.seq;
        written = new Promise((resolve) => this.deps.send(this.deps.encode(message), resolve));
        recordMessagesDelivered(path);
        if (this.slots.length > 0) this.flush();
      }
      if (this.lastSeq === before) {
        if (++emptyReads > RE_READS) return { afterSeq: this.lastSeq, untilSeq };
        continue;
      }
      emptyReads = 0;
      await written;
    }
    return null;
  }
}

/** An inbound `chat_message`'s cell in the queue: one object per message on the hot path. */
class OwnSlot implements OwnMessage {
  slot: Slot = { state: 'storing' };

  constructor(private readonly feed: MessageFeed) {}

  stored(seq: number): void {
    this.feed.settle(this, { state: 'echo', seq, fetched: false });
  }

  answer(frame: string): void {
    this.feed.settle(this, { state: 'frame', frame });
  }

  original(seq: number, frame: string): void {
    this.feed.settle(this, { state: 'original', seq, frame });
  }

  nothing(): void {
    this.feed.settle(this, { state: 'frame', frame: '' });
  }
}
