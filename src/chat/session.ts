/**
 * The per-socket consumer: the seed's ChatConsumer and Tandem's additions. Frames flow one
 * way: parse → rate limit → authorize (the store refuses writes to an ended match) → store →
 * publish. The hub brings room events back; the feed hands each message to the client
 * exactly once and in `seq` order.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ChatLimits } from '../config.js';
import { isAppError } from '../errors.js';
import { frameRejectReason, recordFrameRejected, recordMessagesDelivered } from '../metrics.js';
import { CloseCode } from '../protocol/close-codes.js';
import { encodeFrame } from '../protocol/encode.js';
import type { RoomEvent } from '../protocol/events.js';
import { CONNECTED_TEXT, ErrorText, type ChatMessageIn, type ErrorOut, type OutboundFrame } from '../protocol/frames.js';
import { clientIdOf, parseFrame } from '../protocol/parse.js';
import type { Pair, Store, User } from '../store/index.js';
import { MessageFeed } from './delivery.js';
import type { Hub, RoomMember } from './hub.js';
import type { PresenceRegistry } from './presence.js';
import { TokenBucket } from './rate-limit.js';
import { roomName } from './room.js';
import { TypingExpiry } from './typing-expiry.js';
import { readReceiptEvent, senderOf, toWireMessage } from './wire-message.js';

export interface SessionDeps {
  store: Store;
  hub: Hub;
  presence: PresenceRegistry;
  limits: ChatLimits;
  onError: (error: unknown, context: string) => void;
}

export interface SessionIdentity {
  user: User;
  partner: User;
  pair: Pair;
  sessionHash: string;
  /** `?after=<message_id>`: replay every later message first. */
  resumeAfter: number | null;
}

export class ChatSession implements RoomMember {
  readonly sessionHash: string;
  private readonly id = randomUUID();
  private readonly user: User;
  private readonly partner: User;
  private readonly pairId: number;
  private readonly room: string;
  private readonly resumeAfter: number | null;
  private readonly feed: MessageFeed;
  private readonly bucket: TokenBucket;
  private state: 'starting' | 'open' | 'draining' | 'closed' = 'starting';
  /** Events and frames that arrive before `connection_established` went out. */
  private early: { events: Array<[RoomEvent, string]>; frames: Array<[Buffer, boolean]> } = { events: [], frames: [] };
  private pendingStores = 0;
  private outputTail: Promise<void> = Promise.resolve();
  private rateLimitedInARow = 0;
  private joinedPresence = false;
  /** This connection last said it was typing. */
  private typing = false;
  private readonly partnerTyping: TypingExpiry;
  private alive = true;

  constructor(private readonly socket: WebSocket, identity: SessionIdentity, private readonly deps: SessionDeps) {
    this.user = identity.user;
    this.partner = identity.partner;
    this.pairId = identity.pair.id;
    this.sessionHash = identity.sessionHash;
    this.resumeAfter = identity.resumeAfter;
    this.room = roomName(this.user.email, this.partner.email);
    this.bucket = new TokenBucket(deps.limits.ratePerSecond, deps.limits.rateBurst);
    this.partnerTyping = new TypingExpiry(deps.limits.typingTimeoutMs, () =>
      this.send({ type: 'typing', sender_email: this.partner.email, is_typing: false }),
    );
    this.feed = new MessageFeed({
      store: deps.store,
      pairId: this.pairId,
      encode: (message) => encodeFrame({ type: 'chat_message', ...toWireMessage(message, senderOf(message, this.user, this.partner)) }),
      send: (frame, written) => this.sendRaw(frame, written),
      isLive: () => this.state === 'open' || this.state === 'draining' || this.state === 'starting',
      onFailure: (error) => {
        deps.onError(error, 'reading messages from the store');
        this.close(CloseCode.internalError);
      },
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.state === 'starting') this.early.frames.push([data, isBinary]);
      else if (this.state === 'open') this.receive(data, isBinary);
    });
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.closed());
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') recordFrameRejected('too_large');
    });
  }

  /**
   * Joins the room, then checks the match again and reads where the pair stands: a match
   * ended while this handshake was in flight is refused, and nothing published after the
   * subscription went live can be missed. With `?after=`, the backlog is replayed before
   * any live message.
   */
  async start(): Promise<void> {
    let partnerOnline: boolean;
    let lastSeq: number;
    try {
      await this.deps.hub.join(this.room, this);
      const pair = await this.deps.store.pairById(this.pairId);
      if (this.isClosed()) return;
      if (!pair?.active) return this.close(CloseCode.forbidden);
      lastSeq = pair.lastSeq;
      const from = this.resumeAfter === null ? lastSeq : Math.min(lastSeq, await this.deps.store.seqAtMessageId(this.pairId, this.resumeAfter));
      this.feed.startAfter(from);
      this.joinedPresence = true;
      const first = await this.presence(() => this.deps.presence.join(this.room, this.user.email, this.id));
      partnerOnline = await this.presence(() => this.deps.presence.isOnline(this.room, this.partner.email));
      if (this.isClosed()) return;
      if (first) this.publish({ kind: 'presence', email: this.user.email, online: true });
    } catch (error) {
      this.deps.onError(error, 'starting a chat session');
      return this.close(CloseCode.internalError);
    }
    this.send({ type: 'connection_established', message: CONNECTED_TEXT, partner_online: partnerOnline });
    void this.feed.replayTo(lastSeq);
    this.state = 'open';
    const { events, frames } = this.early;
    this.early = { events: [], frames: [] };
    for (const [event, frame] of events) this.deliver(event, frame);
    for (const [data, isBinary] of frames) this.receive(data, isBinary);
  }

  deliver(event: RoomEvent, frame: string): void {
    if (this.state === 'starting') {
      this.early.events.push([event, frame]);
      return;
    }
    if (this.state !== 'open' && this.state !== 'draining') return;
    switch (event.kind) {
      case 'chat_message':
        return this.feed.offer(event.message.seq, frame);
      case 'typing':
        if (event.sender_email === this.user.email) return;
        this.partnerTyping.saw(event.is_typing);
        return this.sendRaw(frame);
      case 'read_receipt':
        if (event.reader_email !== this.user.email) this.sendRaw(frame);
        return;
      case 'presence':
        if (event.email !== this.user.email) this.sendRaw(frame);
        return;
      case 'force_disconnect':
        return this.forceDisconnect(event.reason);
    }
  }

  /** The layer reconnected: read whatever the pair got meanwhile. */
  catchUp(): void {
    if (this.state !== 'open') return;
    this.deps.store.pairById(this.pairId).then(
      (pair) => {
        if (pair) void this.feed.replayTo(pair.lastSeq);
      },
      (error: unknown) => this.deps.onError(error, 'catching up after a layer reconnect'),
    );
  }

  forceDisconnect(reason: string): void {
    if (this.state === 'closed') return;
    this.send({ type: 'force_disconnect', reason });
    this.close(CloseCode.normal);
  }

  /** Called on every ping tick: a peer that did not answer the previous ping is dropped. */
  heartbeat(): void {
    if (this.state === 'closed') return;
    if (!this.alive) {
      this.socket.terminate();
      return;
    }
    this.alive = false;
    this.socket.ping();
  }

  /**
   * Stops taking frames and waits until this connection's messages in flight are stored,
   * published and echoed to it, so that closing afterwards loses no acknowledgement.
   */
  async drain(): Promise<void> {
    if (this.state === 'open') this.state = 'draining';
    await this.outputTail;
    await this.feed.ownDelivered();
  }

  /** Closes the socket with one of the catalogue's codes. */
  close(close: { code: number; reason: string }): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(close.code, close.reason);
    }
    this.closed();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (!this.bucket.take()) {
      if (++this.rateLimitedInARow >= this.deps.limits.floodCloseAfter) {
        recordFrameRejected('rate_limited');
        return this.close(CloseCode.policy);
      }
      return this.sendError(ErrorText.rateLimited, 'rate_limited', isBinary ? undefined : clientIdOf(data.toString('utf8')));
    }
    this.rateLimitedInARow = 0;
    if (isBinary) return this.sendError(ErrorText.binaryFrame);
    const parsed = parseFrame(data.toString('utf8'));
    if (!parsed.ok) return this.sendError(parsed.error, undefined, parsed.clientId);
    const frame = parsed.frame;
    switch (frame.type) {
      case 'chat_message':
        return this.storeAndPublish(frame);
      case 'typing':
        this.typing = frame.is_typing === true;
        return this.publish({ kind: 'typing', sender_email: this.user.email, is_typing: this.typing });
      case 'mark_read':
        return this.markRead();
    }
  }

  private storeAndPublish(frame: ChatMessageIn): void {
    if (!this.deps.hub.layerUp) return this.sendError(ErrorText.unavailable, 'unavailable', frame.client_id);
    this.pendingStores++;
    const step = this.deps.store
      .appendMessage({ pairId: this.pairId, senderId: this.user.id, content: frame.content, clientId: frame.client_id ?? null })
      .then(
        async ({ message, created }) => {
          const wire = toWireMessage(message, this.user);
          // Encoded here only off the usual path: normally the hub encodes once for the room.
          const encoded = () => encodeFrame({ type: 'chat_message', ...wire });
          if (!created) {
            recordMessagesDelivered('store');
            return this.sendRaw(encoded()); // a retry: the original, to this connection only
          }
          this.feed.stored(message.seq);
          const event: RoomEvent = { kind: 'chat_message', message: wire };
          try {
            await this.deps.hub.publish(this.room, event);
          } catch (error) {
            // Stored, so acknowledged: the echo goes out now, and the room gets the message
            // as soon as the layer takes it again.
            this.deps.onError(error, 'publishing a stored message');
            this.feed.offer(wire.seq, encoded());
            this.deps.hub.publishEventually(this.room, event, (lost) => this.deps.onError(lost, 'republishing a stored message'));
          }
        },
        (error: unknown) => {
          if (isAppError(error) && error.code === 'not_matched') {
            recordFrameRejected('not_matched');
            return this.send(refusal(ErrorText.notMatched, 'not_matched', frame.client_id));
          }
          recordFrameRejected('unavailable');
          this.deps.onError(error, 'storing a message');
          this.send(refusal(ErrorText.unavailable, 'unavailable', frame.client_id));
        },
      )
      .finally(() => this.pendingStores--);
    this.outputTail = this.outputTail.then(() => step);
  }

  private markRead(): void {
    this.deps.store.markRead(this.pairId, this.user.id).then(
      (result) => this.publish(readReceiptEvent(this.user.email, result)),
      (error: unknown) => {
        this.deps.onError(error, 'marking messages read');
        this.sendError(ErrorText.unavailable, 'unavailable');
      },
    );
  }

  private publish(event: RoomEvent): void {
    this.deps.hub.publish(this.room, event).catch((error: unknown) => this.deps.onError(error, `publishing ${event.kind}`));
  }

  /** Presence is a courtesy: when its backend fails, chat goes on and the edge is not reported. */
  private async presence(work: () => Promise<boolean>): Promise<boolean> {
    try {
      return await work();
    } catch (error) {
      this.deps.onError(error, 'updating presence');
      return false;
    }
  }

  /** Error frames keep their place behind this connection's earlier messages and their echoes. */
  private sendError(message: string, code?: string, clientId?: string): void {
    recordFrameRejected(frameRejectReason(message));
    const frame = refusal(message, code, clientId);
    if (this.pendingStores === 0 && this.feed.ownCaughtUp()) return this.send(frame);
    this.outputTail = this.outputTail.then(() => this.feed.ownDelivered()).then(() => this.send(frame));
  }

  private send(frame: OutboundFrame): void {
    this.sendRaw(encodeFrame(frame));
  }

  /** Sends unless closed; a peer whose unsent data passes the bound is closed with 1013. */
  private sendRaw(frame: string, written?: () => void): void {
    if (this.socket.readyState !== this.socket.OPEN) return written?.();
    this.socket.send(frame, written && (() => written()));
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) this.closeSlowConsumer();
  }

  private closeSlowConsumer(): void {
    if (this.state === 'closed') return;
    this.close(CloseCode.tryAgain);
    setTimeout(() => this.socket.terminate(), this.deps.limits.slowCloseGraceMs).unref();
  }

  /** A method, not a field test, so that checks after an await are not narrowed away. */
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.partnerTyping.stop();
    this.deps.hub.leave(this.room, this).catch((error: unknown) => this.deps.onError(error, 'leaving a room'));
    if (this.typing) this.publish({ kind: 'typing', sender_email: this.user.email, is_typing: false });
    if (!this.joinedPresence) return;
    void this.presence(() => this.deps.presence.leave(this.room, this.user.email, this.id)).then((last) => {
      if (last) this.publish({ kind: 'presence', email: this.user.email, online: false });
    });
  }
}

function refusal(message: string, code?: string, clientId?: string): ErrorOut {
  const frame: ErrorOut = { type: 'error', message };
  if (code !== undefined) frame.code = code;
  if (clientId !== undefined) frame.client_id = clientId;
  return frame;
}
