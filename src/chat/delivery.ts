/**
 * Exactly-once, in-order delivery of one pair's messages to one connection. Live messages
 * arrive from the channel layer, which may lose or reorder them; the feed hands the client
 * `seq` n+1 after n and nothing twice. A message beyond the next one means something was
 * missed: later live messages wait while the gap is read from the store. Replays (resume,
 * catch-up after a layer reconnect) use the same path, page by page, waiting for the socket
 * to take each page before reading the next.
 */
import { recordMessagesDelivered } from '../metrics.js';
import type { Message, Store } from '../store/index.js';

/** How many stored messages one read fetches at most. */
const PAGE = 500;

export interface FeedDeps {
  store: Store;
  pairId: number;
  /** The outbound `chat_message` frame of a stored message. */
  encode(message: Message): string;
  /** Sends a frame; `written` runs once the socket took it (backpressure for replays). */
  send(frame: string, written?: () => void): void;
  /** False once the connection is closed: reading stops. */
  isLive(): boolean;
  /** A store read failed: the connection cannot be kept consistent. */
  onFailure(error: unknown): void;
}

export class MessageFeed {
  /** The `seq` of the last message handed to the client. */
  private lastSeq = 0;
  /** The highest `seq` the connection stored itself. */
  private highestOwnSeq = 0;
  /** Live messages waiting while the store is read, in arrival order. */
  private held: Array<[number, string]> | null = null;
  private reading: Promise<void> | null = null;

  constructor(private readonly deps: FeedDeps) {}

  /** Starts after `seq`: messages up to it are not this connection's to deliver. */
  startAfter(seq: number): void {
    this.lastSeq = seq;
  }

  /** A live message from the layer. */
  offer(seq: number, frame: string): void {
    if (this.held) {
      this.held.push([seq, frame]);
      return;
    }
    if (seq <= this.lastSeq) return;
    if (seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      this.deps.send(frame);
      recordMessagesDelivered('live');
      return;
    }
    this.held = [[seq, frame]];
    void this.read(seq - 1);
  }

  /** Delivers everything up to `seq` from the store, holding live messages meanwhile. */
  replayTo(seq: number): Promise<void> {
    if (this.reading) return this.reading.then(() => this.replayTo(seq));
    if (seq <= this.lastSeq) return Promise.resolve();
    this.held ??= [];
    return this.read(seq);
  }

  /** Notes a message this connection stored, whose echo it must get. */
  stored(seq: number): void {
    if (seq > this.highestOwnSeq) this.highestOwnSeq = seq;
  }

  /** True when every message this connection stored has been handed to it. */
  ownCaughtUp(): boolean {
    return this.lastSeq >= this.highestOwnSeq;
  }

  /** Resolves once every message this connection stored has been handed to it. */
  async ownDelivered(): Promise<void> {
    while (this.deps.isLive() && this.lastSeq < this.highestOwnSeq) await this.replayTo(this.highestOwnSeq);
  }

  private read(untilSeq: number): Promise<void> {
    this.reading = this.readPages(untilSeq)
      .catch((error: unknown) => this.deps.onFailure(error))
      .finally(() => {
        this.reading = null;
        const held = this.held ?? [];
        this.held = null;
        for (const [seq, frame] of held) this.offer(seq, frame);
      });
    return this.reading;
  }

  private async readPages(untilSeq: number): Promise<void> {
    while (this.lastSeq < untilSeq && this.deps.isLive()) {
      const page = await this.deps.store.messagesAfter(this.deps.pairId, this.lastSeq, Math.min(PAGE, untilSeq - this.lastSeq));
      const before = this.lastSeq;
      let written: Promise<void> = Promise.resolve();
      for (const message of page) {
        if (message.seq !== this.lastSeq + 1) break;
        this.lastSeq = message.seq;
        written = new Promise((resolve) => this.deps.send(this.deps.encode(message), resolve));
        recordMessagesDelivered('store');
      }
      if (this.lastSeq === before) return;
      await written;
    }
  }
}
