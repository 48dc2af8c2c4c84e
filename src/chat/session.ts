/**
 * The per-socket consumer: the seed's ChatConsumer. Frames flow one way:
 * parse → authorize (the store refuses writes to an ended match) → store → publish; the
 * hub brings room events back, and `deliver` hands each message to the client exactly once
 * and in `seq` order, filling any gap from the store.
 */
import type { WebSocket } from 'ws';
import { isAppError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { encodeFrame } from '../protocol/encode.js';
import type { RoomEvent } from '../protocol/events.js';
import { CONNECTED_TEXT, ErrorText, type ChatMessageIn, type ErrorOut, type OutboundFrame } from '../protocol/frames.js';
import { parseFrame } from '../protocol/parse.js';
import type { Message, Pair, Store, User } from '../store/index.js';
import type { Hub, RoomMember } from './hub.js';
import { roomName } from './room.js';
import { toWireMessage } from './wire-message.js';

/** How many stored messages one gap-fill read fetches at most. */
const FILL_PAGE = 500;

export interface SessionDeps {
  store: Store;
  hub: Hub;
  onError: (error: unknown, context: string) => void;
}

export interface SessionIdentity {
  user: User;
  partner: User;
  pair: Pair;
  sessionHash: string;
}

export class ChatSession implements RoomMember {
  readonly sessionHash: string;
  private readonly user: User;
  private readonly partner: User;
  private readonly pairId: number;
  private readonly room: string;
  private state: 'starting' | 'open' | 'draining' | 'closed' = 'starting';
  /** Events and frames that arrive before `connection_established` went out. */
  private early: { events: Array<[RoomEvent, string]>; frames: Array<[Buffer, boolean]> } = { events: [], frames: [] };
  /** The `seq` of the last message handed to the client. */
  private lastSeq = 0;
  /** While a gap is being filled from the store, later messages wait here in arrival order. */
  private held: Array<[number, string]> | null = null;
  private filling: Promise<void> | null = null;
  /** The highest `seq` this connection stored itself: its echo must reach it before a drain ends. */
  private highestOwnSeq = 0;
  private pendingStores = 0;
  private outputTail: Promise<void> = Promise.resolve();

  constructor(private readonly socket: WebSocket, identity: SessionIdentity, private readonly deps: SessionDeps) {
    this.user = identity.user;
    this.partner = identity.partner;
    this.pairId = identity.pair.id;
    this.sessionHash = identity.sessionHash;
    this.room = roomName(this.user.email, this.partner.email);
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.state === 'starting') this.early.frames.push([data, isBinary]);
      else if (this.state === 'open') this.receive(data, isBinary);
    });
    socket.on('close', () => this.closed());
    socket.on('error', () => {});
  }

  /**
   * Joins the room, then checks the match again and reads where the pair stands: a match
   * ended while this handshake was in flight is refused, and nothing published after the
   * subscription went live can be missed.
   */
  async start(): Promise<void> {
    try {
      await this.deps.hub.join(this.room, this);
      const pair = await this.deps.store.pairById(this.pairId);
      if (this.state === 'closed') return;
      if (!pair?.active) return this.close(CloseCode.forbidden);
      this.lastSeq = pair.lastSeq;
    } catch (error) {
      this.deps.onError(error, 'starting a chat session');
      return this.close(CloseCode.internalError);
    }
    this.send({ type: 'connection_established', message: CONNECTED_TEXT });
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
        return this.deliverMessage(event.message.seq, frame);
      case 'typing':
        if (event.sender_email !== this.user.email) this.sendRaw(frame);
        return;
      case 'read_receipt':
        if (event.reader_email !== this.user.email) this.sendRaw(frame);
        return;
      case 'force_disconnect':
        return this.forceDisconnect(event.reason);
    }
  }

  catchUp(): void {
    if (this.state !== 'open' || this.filling) return;
    this.deps.store.pairById(this.pairId).then(
      (pair) => {
        if (pair && pair.lastSeq > this.lastSeq && this.state === 'open' && !this.filling) {
          this.held = [];
          void this.runFill(pair.lastSeq);
        }
      },
      (error: unknown) => this.deps.onError(error, 'catching up after a layer reconnect'),
    );
  }

  forceDisconnect(reason: string): void {
    if (this.state === 'closed') return;
    this.send({ type: 'force_disconnect', reason });
    this.close(CloseCode.normal);
  }

  /**
   * Stops taking frames, waits for this connection's messages in flight to be stored and
   * published, and makes sure their echoes reached it (from the store if need be), so that
   * closing afterwards loses no acknowledgement.
   */
  async drain(): Promise<void> {
    if (this.state === 'open') this.state = 'draining';
    await this.ownMessagesDelivered();
  }

  /**
   * Resolves once every message this connection sent so far is stored and its echo went out
   * to it. An echo still travelling through the layer is read from the store instead: the
   * message is committed, and the live copy is dropped by `seq` when it arrives.
   */
  private async ownMessagesDelivered(): Promise<void> {
    await this.outputTail;
    while ((this.state === 'open' || this.state === 'draining') && this.lastSeq < this.highestOwnSeq) {
      if (this.filling) await this.filling;
      else {
        this.held = [];
        await this.runFill(this.highestOwnSeq);
      }
    }
  }

  /** Closes the socket with one of the catalogue's codes. */
  close(close: { code: number; reason: string }): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(close.code, close.reason);
    }
    this.closed();
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) return this.sendError(ErrorText.binaryFrame);
    const parsed = parseFrame(data.toString('utf8'));
    if (!parsed.ok) return this.sendError(parsed.error);
    const frame = parsed.frame;
    switch (frame.type) {
      case 'chat_message':
        return this.storeAndPublish(frame);
      case 'typing':
        this.publish({ kind: 'typing', sender_email: this.user.email, is_typing: frame.is_typing === true });
        return;
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
          if (message.seq > this.highestOwnSeq) this.highestOwnSeq = message.seq;
          if (!created) {
            // A retry: the original goes back to this connection only.
            this.sendRaw(encodeFrame({ type: 'chat_message', ...wire }));
            return;
          }
          const event: RoomEvent = { kind: 'chat_message', message: wire };
          try {
            await this.deps.hub.publish(this.room, event);
          } catch (error) {
            // Stored, so acknowledged: the echo goes out now, and the room gets the message
            // as soon as the layer takes it again.
            this.deps.onError(error, 'publishing a stored message');
            this.deliverMessage(wire.seq, encodeFrame({ type: 'chat_message', ...wire }));
            this.deps.hub.publishEventually(this.room, event, (lost) => this.deps.onError(lost, 'republishing a stored message'));
          }
        },
        (error: unknown) => {
          const refused = (message: string, code: string): OutboundFrame =>
            frame.client_id === undefined ? { type: 'error', message, code } : { type: 'error', message, code, client_id: frame.client_id };
          if (isAppError(error) && error.code === 'not_matched') return this.send(refused(ErrorText.notMatched, 'not_matched'));
          this.deps.onError(error, 'storing a message');
          this.send(refused(ErrorText.unavailable, 'unavailable'));
        },
      )
      .finally(() => this.pendingStores--);
    this.outputTail = this.outputTail.then(() => step);
  }

  private markRead(): void {
    this.deps.store.markRead(this.pairId, this.user.id).then(
      ({ count, lastReadId }) =>
        this.publish({ kind: 'read_receipt', reader_email: this.user.email, count, last_read_id: lastReadId === null ? null : String(lastReadId) }),
      (error: unknown) => {
        if (isAppError(error) && error.code === 'not_matched') return this.sendError(ErrorText.notMatched);
        this.deps.onError(error, 'marking messages read');
        this.sendError(ErrorText.internal);
      },
    );
  }

  private publish(event: RoomEvent): void {
    this.deps.hub.publish(this.room, event).catch((error: unknown) => this.deps.onError(error, `publishing ${event.kind}`));
  }

  /** Hands a message to the client once, in `seq` order; a gap is filled from the store first. */
  private deliverMessage(seq: number, frame: string): void {
    if (this.held) {
      this.held.push([seq, frame]);
      return;
    }
    if (seq <= this.lastSeq) return;
    if (seq === this.lastSeq + 1) {
      this.lastSeq = seq;
      this.sendRaw(frame);
      return;
    }
    this.held = [[seq, frame]];
    void this.runFill(seq - 1);
  }

  /** Fills from the store up to `untilSeq`, then releases what was held meanwhile. */
  private runFill(untilSeq: number): Promise<void> {
    this.filling = this.fillGap(untilSeq)
      .catch((error: unknown) => {
        this.deps.onError(error, 'filling a message gap');
        this.close(CloseCode.internalError);
      })
      .finally(() => {
        this.filling = null;
      });
    return this.filling;
  }

  private async fillGap(untilSeq: number): Promise<void> {
    while (this.lastSeq < untilSeq && (this.state === 'open' || this.state === 'draining')) {
      const page = await this.deps.store.messagesAfter(this.pairId, this.lastSeq, Math.min(FILL_PAGE, untilSeq - this.lastSeq));
      const before = this.lastSeq;
      for (const message of page) this.sendStored(message);
      if (this.lastSeq === before) break;
    }
    const held = this.held ?? [];
    this.held = null;
    for (const [seq, frame] of held) this.deliverMessage(seq, frame);
  }

  private sendStored(message: Message): void {
    if (message.seq !== this.lastSeq + 1) return;
    const sender = message.senderId === this.user.id ? this.user : this.partner;
    this.lastSeq = message.seq;
    this.sendRaw(encodeFrame({ type: 'chat_message', ...toWireMessage(message, sender) }));
  }

  /** Error frames keep their place behind this connection's earlier messages still being stored. */
  private sendError(message: string, code?: string, clientId?: string): void {
    const frame: ErrorOut = { type: 'error', message };
    if (code !== undefined) frame.code = code;
    if (clientId !== undefined) frame.client_id = clientId;
    if (this.pendingStores === 0 && this.lastSeq >= this.highestOwnSeq) return this.send(frame);
    this.outputTail = this.ownMessagesDelivered().then(() => this.send(frame));
  }

  private send(frame: OutboundFrame): void {
    this.sendRaw(encodeFrame(frame));
  }

  private sendRaw(frame: string): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame);
  }

  private closed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.held = null;
    this.deps.hub.leave(this.room, this).catch((error: unknown) => this.deps.onError(error, 'leaving a room'));
  }
}
