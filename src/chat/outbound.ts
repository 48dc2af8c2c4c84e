/**
 * Everything a connection sends, and the only writer to its socket. Nothing goes out before
 * `connection_established`: room events that arrive earlier wait for `open`. Then the feed
 * decides the order of the rest (see `MessageFeed`): messages once, in `seq` order, errors
 * behind this connection's echoes, typing, receipts, presence and states after the messages
 * that arrived before them. A socket whose unsent data passes the bound is reported as a
 * slow consumer.
 */
import type { WebSocket } from 'ws';
import type { ChatLimits } from '../config.js';
import type { DeliveryPath } from '../metrics.js';
import { encodeFrame } from '../protocol/encode.js';
import type { RoomEvent } from '../protocol/events.js';
import type { ErrorOut, OutboundFrame } from '../protocol/frames.js';
import type { User } from '../store/index.js';
import { MessageFeed, type FeedSource, type Gap, type OwnMessage } from './message-feed.js';
import { TypingExpiry } from './typing-expiry.js';
import { FLUSH_SLICE_BYTES, type CorkedWrites } from '../transport/write-coalescer.js';
import { toTimelineFrame } from './wire-message.js';

/** What the outbound reads and whom it tells; the callbacks run at most once each per cause. */
export interface OutboundDeps {
  /** Where missed timeline entries (messages, notices, changes) are read from. */
  store: FeedSource;
  pairId: number;
  user: User;
  partner: User;
  /** This connection's id: a `read_state` it caused is not sent back to it. */
  connectionId: string;
  limits: ChatLimits;
  /** A store read failed; the outbound has stopped. */
  onReadFailure(error: unknown): void;
  /** The store lacks messages this connection needs (see `MessageFeed`); its messages have stopped. */
  onGap(gap: Gap): void;
  /** The socket's unsent data passed `limits.maxBufferedBytes`. */
  onSlowConsumer(): void;
  /** A `force_disconnect` room event reached this connection, in its turn. */
  onForceDisconnect(reason: string): void;
  /** The turn's frames go out together (see WriteCoalescer); without it, each frame is written at once. */
  writes?: CorkedWrites;
}

/** One connection's output: frames leave in the order its methods state, and nothing after `stop`. */
export class Outbound {
  private readonly feed: MessageFeed;
  private readonly partnerTyping: TypingExpiry;
  /** Room events that arrived before `connection_established`; `null` once it went out. */
  private early: Array<[RoomEvent, string]> | null = [];
  /** The furthest `catchUpTo` asked for before `open`, read right after the start's own catch-up. */
  private earlyCatchUp = 0;
  private stopped = false;
  /** Frames the coalescer keeps back past this many bytes are written at once (see `write`). */
  private readonly flushAt: number;

  constructor(
    private readonly socket: WebSocket,
    private readonly deps: OutboundDeps,
  ) {
    this.flushAt = Math.min(FLUSH_SLICE_BYTES, deps.limits.maxBufferedBytes / 4);
    const { user, partner } = deps;
    // The expiry is a typing state of its own: in its turn, replacing one still waiting.
    this.partnerTyping = new TypingExpiry(deps.limits.typingTimeoutMs, () =>
      this.feed.inTurn(() => this.send({ type: 'typing', sender_email: partner.email, is_typing: false }), 'typing'),
    );
    this.feed = new MessageFeed({
      source: deps.store,
      pairId: deps.pairId,
      encode: (entry) => encodeFrame(toTimelineFrame(entry, user, partner)),
      send: (frame, written) => this.write(frame, written),
      onFailure: (error) => deps.onReadFailure(error),
      onGap: (gap) => deps.onGap(gap),
    });
  }

  /** Messages up to `seq` are not this connection's to deliver (see `MessageFeed.startAfter`). */
  startAfter(seq: number): void {
    this.feed.startAfter(seq);
  }

  /**
   * Sends `connected`, then catches up to `lastSeq` ahead of any live message, then lets
   * through the room events that waited for it, in arrival order.
   */
  open(connected: OutboundFrame, lastSeq: number): void {
    this.send(connected);
    void this.feed.catchUpTo(lastSeq);
    if (this.earlyCatchUp > lastSeq) void this.feed.catchUpTo(this.earlyCatchUp, 'check');
    const early = this.early ?? [];
    this.early = null;
    for (const [event, frame] of early) this.deliver(event, frame);
  }

  /** A room event from the hub, with its encoded frame; it waits for `open`, then takes its turn. */
  deliver(event: RoomEvent, frame: string): void {
    if (this.early) {
      this.early.push([event, frame]);
      return;
    }
    if (this.stopped) return;
    const { user } = this.deps;
    switch (event.kind) {
      case 'chat_message':
        return this.feed.offer(event.message.seq, frame);
      case 'typing':
        if (event.sender_id === user.id) return;
        // Timed from its arrival: an expiry replaces a `true` that is still waiting.
        this.partnerTyping.saw(event.is_typing);
        return this.feed.inTurn(() => this.write(frame), 'typing');
      case 'read_receipt':
        if (event.reader_id !== user.id) this.feed.inTurn(() => this.write(frame));
        return;
      case 'read_state':
        if (event.reader_id === user.id && event.origin !== this.deps.connectionId) this.feed.inTurn(() => this.write(frame), 'read_state');
        return;
      case 'presence':
        if (event.user_id !== user.id) this.feed.inTurn(() => this.write(frame), 'presence');
        return;
      case 'match_state':
        return this.feed.inTurn(() => this.write(frame), 'match_state');
      case 'force_disconnect':
        return this.feed.inTurn(() => this.deps.onForceDisconnect(event.reason));
      case 'notice':
        return this.feed.offer(event.notice.seq, frame);
      case 'change':
        return this.feed.offer(event.change.seq, frame);
      case 'message_status':
        if (event.sender_id === user.id) this.feed.inTurn(() => this.write(frame));
        return;
    }
  }

  /** A message this connection stored whose first publish failed: its echo goes out now, in order. */
  offer(seq: number, frame: string): void {
    this.feed.offer(seq, frame);
  }

  /** Takes the output slot of an inbound `chat_message` (see `MessageFeed.own`). */
  own(): OwnMessage {
    return this.feed.own();
  }

  /** Sends an error frame after the echoes of this connection's earlier messages. */
  refuse(frame: ErrorOut): void {
    this.feed.queue(encodeFrame(frame));
  }

  /** Sends a frame at once, ahead of anything waiting: `connection_established`, or one that precedes a close. */
  send(frame: OutboundFrame): void {
    this.write(encodeFrame(frame));
  }

  /**
   * Delivers whatever the pair got up to `seq` that this connection has not seen; before
   * `open`, once the start's catch-up is done (nothing goes out ahead of `connection_established`).
   */
  catchUpTo(seq: number, path: DeliveryPath = 'store'): void {
    if (this.early) this.earlyCatchUp = Math.max(this.earlyCatchUp, seq);
    else void this.feed.catchUpTo(seq, path);
  }

  /** Resolves once every slot taken so far is done: echoes delivered, errors sent (or stopped). */
  drained(): Promise<void> {
    return this.feed.drained();
  }

  /** Sends nothing more, ever. */
  stop(): void {
    this.stopped = true;
    this.early = null;
    this.partnerTyping.stop();
    this.feed.stop();
  }

  private write(frame: string, written?: () => void): void {
    if (this.stopped || this.socket.readyState !== this.socket.OPEN) return written?.();
    const { writes, limits } = this.deps;
    writes?.cork();
    this.socket.send(frame, written && (() => written()));
    // Frames kept back count as unsent until written. Handed to the kernel in slices, they are
    // judged by what it could not take, give or take the slice it took only part of.
    if (writes && this.socket.bufferedAmount > this.flushAt) writes.flush();
    if (this.socket.bufferedAmount > limits.maxBufferedBytes) this.deps.onSlowConsumer();
  }
}
