/**
 * The per-socket consumer: the seed's ChatConsumer and Tandem's additions. It owns the
 * connection's lifecycle (the checks at the start, liveness, draining, closing) and wires the
 * inbound (rate limit, parse, store, publish) to the outbound, the socket's only writer, which
 * owns the order of what it sends; the hub brings room events back to the outbound.
 */
import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { ChatLimits } from '../config.js';
import { DEFAULT_CONVERSATION, type ConversationConfig } from '../config-types.js';
import { recordFrameRejected } from '../metrics.js';
import type { PresenceRegistry } from '../presence/index.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { RoomEvent } from '../protocol/events.js';
import { CONNECTED_TEXT, type ConnectionEstablishedOut } from '../protocol/frames.js';
import type { AnnouncementOut } from '../protocol/programme.js';
import { timelineAfter, type Pair, type Role, type Store, type User } from '../store/index.js';
import type { Hub, RoomMember } from './hub.js';
import type { MessageFilter } from '../moderation/filter.js';
import { courtesy, depart } from './presence-edges.js';
import { Inbound } from './inbound.js';
import { Outbound } from './outbound.js';
import type { CorkedWrites } from '../transport/write-coalescer.js';
import { resumeFrom } from './resume.js';
import { roomName } from './room.js';
import type { UserChannels } from './user-channels.js';

export interface SessionDeps {
  store: Store;
  hub: Hub;
  channels: UserChannels;
  presence: PresenceRegistry;
  limits: ChatLimits;
  onError: (error: unknown, context: string) => void;
  /** The inbound rate this user's connections on the instance share. */
  userRate: { take(): boolean };
  /** Policy `moderated`: the filter that holds messages for review. */
  filter?: MessageFilter | null;
  /** Part 8's settings; the defaults when absent. */
  conversation?: ConversationConfig;
  /** The socket's side of the write coalescer: a turn's frames go out in one write. */
  writes?: CorkedWrites;
  /** Something went wrong that the connection survives by starting again (logged at warn). */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
}

export interface SessionIdentity {
  user: User;
  partner: User;
  pair: Pair;
  sessionHash: string;
  /** `?after=<message_id>`: catch up on every later message first. */
  resumeAfter: number | null;
  /** When the credential expires (a token's `exp`): the socket gets `force_disconnect` `token_expired`, then 4001. */
  expiresAt: Date | null;
}

/** setTimeout's limit; a later expiry is re-armed when this one fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ChatSession implements RoomMember {
  readonly sessionHash: string;
  readonly pairId: number;
  readonly role: Role;
  private readonly id = randomUUID();
  private readonly user: User;
  private readonly partner: User;
  private readonly room: string;
  private readonly resumeAfter: number | null;
  private readonly inbound: Inbound;
  private readonly outbound: Outbound;
  private state: 'starting' | 'open' | 'draining' | 'closed' = 'starting';
  private joinedPresence = false;
  private alive = true;
  private readonly expiresAt: Date | null;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    identity: SessionIdentity,
    private readonly deps: SessionDeps,
  ) {
    this.user = identity.user;
    this.partner = identity.partner;
    this.pairId = identity.pair.id;
    this.role = identity.user.role;
    this.sessionHash = identity.sessionHash;
    this.resumeAfter = identity.resumeAfter;
    this.expiresAt = identity.expiresAt;
    this.room = roomName(this.pairId);
    this.outbound = new Outbound(socket, {
      store: { after: (pairId, afterSeq, limit) => timelineAfter(deps.store.messages, deps.store.changes, pairId, afterSeq, limit) },
      pairId: this.pairId,
      user: this.user,
      partner: this.partner,
      connectionId: this.id,
      limits: deps.limits,
      onReadFailure: (error) => {
        deps.onError(error, 'reading messages from the store');
        this.close(CloseCode.internalError);
      },
      onGap: (gap) => {
        deps.onWarning?.('the store lacks messages a connection needs; closed it to resume', { pairId: this.pairId, ...gap });
        this.close(CloseCode.outOfStep);
      },
      onSlowConsumer: () => this.closeSlowConsumer(),
      onForceDisconnect: (reason) => this.forceDisconnect(reason),
      writes: deps.writes,
    });
    this.inbound = new Inbound({
      store: deps.store,
      conversation: deps.conversation ?? DEFAULT_CONVERSATION,
      hub: deps.hub,
      limits: deps.limits,
      onError: deps.onError,
      outbound: this.outbound,
      userRate: deps.userRate,
      filter: deps.filter ?? null,
      close: (close) => this.closeAfterDrain(close),
      user: this.user,
      partner: this.partner,
      pairId: this.pairId,
      room: this.room,
      connectionId: this.id,
      channels: deps.channels,
    });
    socket.on('message', (data: Buffer, isBinary: boolean) => this.inbound.receive(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.closed());
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') recordFrameRejected('too_large');
    });
  }

  /**
   * Joins the room, then checks the match again and reads where the pair stands: a match ended
   * while this handshake was in flight is refused, and nothing published after the subscription
   * went live can be missed. With `?after=`, the backlog is caught up on before any live
   * message. Frames and room events arriving meanwhile wait for `connection_established`.
   */
  async start(): Promise<void> {
    let partnerOnline: boolean;
    let lastSeq: number;
    let paused: boolean;
    try {
      await this.deps.hub.join(this.room, this);
      const pair = await this.deps.store.matches.pairById(this.pairId);
      if (this.isClosed()) return;
      if (!pair?.active) return this.close(CloseCode.forbidden);
      lastSeq = pair.lastSeq;
      paused = pair.paused;
      const from = this.resumeAfter === null ? lastSeq : Math.min(lastSeq, await resumeFrom(this.deps.store, this.pairId, this.resumeAfter, lastSeq));
      this.outbound.startAfter(from);
      this.joinedPresence = true;
      const first = await courtesy(this.deps.presence.join(this.room, this.user.id, this.id), this.deps.onError);
      partnerOnline = await courtesy(this.deps.presence.isOnline(this.room, this.partner.id), this.deps.onError);
      if (this.isClosed()) return;
      if (first) this.publish({ kind: 'presence', user_id: this.user.id, email: this.user.email, online: true });
    } catch (error) {
      this.deps.onError(error, 'starting a chat session');
      return this.close(CloseCode.internalError);
    }
    const established: ConnectionEstablishedOut = { type: 'connection_established', message: CONNECTED_TEXT, partner_online: partnerOnline };
    if (paused) established.match_state = 'paused';
    this.outbound.open(established, lastSeq);
    this.state = 'open';
    this.inbound.open();
    this.armExpiry();
  }

  /** A credential that expires ends the socket then; the client reconnects with a fresh one. */
  private armExpiry(): void {
    if (this.expiresAt === null || this.isClosed()) return;
    const left = this.expiresAt.getTime() - Date.now();
    if (left > MAX_TIMER_MS) {
      this.expiry = setTimeout(() => this.armExpiry(), MAX_TIMER_MS);
      return;
    }
    this.expiry = setTimeout(
      () => {
        if (this.isClosed()) return;
        this.outbound.send({ type: 'force_disconnect', reason: 'token_expired' });
        this.close(CloseCode.unauthenticated);
      },
      Math.max(0, left),
    );
    this.expiry.unref();
  }

  deliver(event: RoomEvent, frame: string): void {
    this.outbound.deliver(event, frame);
  }

  /** The layer reconnected: read whatever the pair got meanwhile. */
  catchUp(): void {
    if (this.state !== 'open') return;
    this.deps.store.matches.pairById(this.pairId).then(
      (pair) => {
        if (pair) this.outbound.catchUpTo(pair.lastSeq);
      },
      (error: unknown) => this.deps.onError(error, 'catching up after a layer reconnect'),
    );
  }

  /** The store has the pair's messages up to `seq` (the delivery check): send whichever this connection has not had. */
  catchUpTo(seq: number): void {
    if (this.state !== 'closed') this.outbound.catchUpTo(seq, 'check');
  }

  announce(frame: AnnouncementOut): void {
    if (this.state === 'open') this.outbound.send(frame);
  }

  forceDisconnect(reason: string): void {
    if (this.state === 'closed') return;
    this.outbound.send({ type: 'force_disconnect', reason });
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
   * Stops taking frames and waits until this connection's messages in flight are stored, published
   * and echoed to it, and its errors sent, so that closing afterwards loses no acknowledgement.
   */
  async drain(): Promise<void> {
    if (this.state === 'open') {
      this.state = 'draining';
      this.inbound.stop();
    }
    await this.inbound.settled();
    await this.outbound.drained();
  }

  /** Closes the socket with one of the catalogue's codes. */
  close(close: { code: number; reason: string }): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(close.code, close.reason);
    }
    this.closed();
  }

  /** A flood close: the messages this connection got stored are echoed (and its errors sent) before the close frame. */
  private closeAfterDrain(close: { code: number; reason: string }): void {
    this.drain().then(
      () => this.close(close),
      (error: unknown) => {
        this.deps.onError(error, 'draining before a close');
        this.close(close);
      },
    );
  }

  private publish(event: RoomEvent): void {
    this.deps.hub.publish(this.room, event).catch((error: unknown) => this.deps.onError(error, `publishing ${event.kind}`));
  }

  /** The close frame waits behind the unsent data; a peer that takes too long to read it is cut. */
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
    clearTimeout(this.expiry);
    this.outbound.stop();
    this.deps.hub.leave(this.room, this).catch((error: unknown) => this.deps.onError(error, 'leaving a room'));
    depart({
      wasTyping: this.inbound.closed(),
      joinedPresence: this.joinedPresence,
      leavePresence: () => this.deps.presence.leave(this.room, this.user.id, this.id),
      withdrawTyping: () => this.inbound.withdrawTyping(),
      publishOffline: () => this.publish({ kind: 'presence', user_id: this.user.id, email: this.user.email, online: false }),
      onError: this.deps.onError,
    });
  }
}
