/**
 * One event stream socket (`/ws/me/`): joins its user's channel, then says
 * `connection_established`, then writes each event of the channel in arrival order. An
 * `unread_changed` is turned into the partner's current unread count, read from the store in
 * its turn, so a count never overtakes a later `read_state`. Inbound frames are ignored. A
 * credential that expires (a token's `exp`) ends the stream as it ends a chat socket:
 * `force_disconnect` `token_expired`, then 4001.
 */
import type { WebSocket } from 'ws';
import type { ChatLimits } from '../config.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { UserEvent } from '../protocol/events.js';
import type { ForceDisconnectOut } from '../protocol/frames.js';
import { STREAM_CONNECTED_TEXT, type UserStreamOutbound } from '../protocol/user-stream.js';
import type { MessageStore, Role, User } from '../store/index.js';
import type { StreamMember, UserChannels } from './user-channels.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface UserStreamDeps {
  store: Pick<MessageStore, 'unreadCount'>;
  channels: Pick<UserChannels, 'join' | 'leave'>;
  limits: Pick<ChatLimits, 'maxBufferedBytes'>;
  onError: (error: unknown, context: string) => void;
}

export class UserStream implements StreamMember {
  readonly userId: number;
  readonly role: Role;
  /** Frames go out one after the other, each once the ones before it are written; the first waits for `start`. */
  private queue: Promise<void>;
  private started!: () => void;
  /** Pairs whose unread count is queued and not yet read: a burst of messages reads it once. */
  private readonly unreadQueued = new Set<number>();
  private state: 'starting' | 'open' | 'closed' = 'starting';
  private alive = true;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    readonly user: User,
    readonly sessionHash: string,
    private readonly deps: UserStreamDeps,
    private readonly expiresAt: Date | null = null,
  ) {
    this.userId = user.id;
    this.role = user.role;
    this.queue = new Promise((resolve) => (this.started = resolve));
    socket.on('pong', () => (this.alive = true));
    socket.on('close', () => this.closed());
    socket.on('error', () => {});
  }

  /** Joins the user's channel, then confirms; events that arrive meanwhile are queued behind the confirmation. */
  async start(): Promise<void> {
    try {
      await this.deps.channels.join(this);
    } catch (error) {
      this.deps.onError(error, 'starting an event stream');
      this.close(CloseCode.internalError);
      return this.started();
    }
    if (this.state === 'closed') {
      this.deps.channels.leave(this).catch((error: unknown) => this.deps.onError(error, 'leaving a user channel'));
      return this.started();
    }
    this.state = 'open';
    this.write({ type: 'connection_established', message: STREAM_CONNECTED_TEXT });
    this.started();
    this.armExpiry();
  }

  private armExpiry(): void {
    if (this.expiresAt === null || this.state === 'closed') return;
    const left = this.expiresAt.getTime() - Date.now();
    // setTimeout takes at most 2^31-1 ms; a longer wait is taken in steps.
    this.expiry = setTimeout(
      () => {
        if (left > MAX_TIMER_MS) return this.armExpiry();
        if (this.state === 'closed') return;
        this.socket.send(JSON.stringify({ type: 'force_disconnect', reason: 'token_expired' } satisfies ForceDisconnectOut));
        this.close(CloseCode.unauthenticated);
      },
      Math.max(0, Math.min(left, MAX_TIMER_MS)),
    );
    this.expiry.unref();
  }

  deliver(event: UserEvent): void {
    if (this.state === 'closed') return;
    if (event.kind === 'user_frame') {
      this.enqueue(async () => event.frame);
      return;
    }
    if (this.unreadQueued.has(event.pair_id)) return;
    this.unreadQueued.add(event.pair_id);
    this.enqueue(async () => {
      this.unreadQueued.delete(event.pair_id);
      const count = await this.deps.store.unreadCount(event.pair_id, this.userId);
      return { type: 'unread', partner_email: event.partner_email, unread_count: count };
    });
  }

  forceDisconnect(reason: string): void {
    if (this.state === 'closed') return;
    const frame: ForceDisconnectOut = { type: 'force_disconnect', reason };
    this.socket.send(JSON.stringify(frame));
    this.close(CloseCode.normal);
  }

  /** The channel may have lost events: the client reconnects and reads afresh (see `StreamMember.catchUp`). */
  catchUp(): void {
    this.close(CloseCode.internalError);
  }

  /** Called on every ping tick: a peer that did not answer the previous ping is dropped. */
  heartbeat(): void {
    if (this.state === 'closed') return;
    if (!this.alive) return this.socket.terminate();
    this.alive = false;
    this.socket.ping();
  }

  close(close: { code: number; reason: string }): void {
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) this.socket.close(close.code, close.reason);
    this.closed();
  }

  /** Runs `make` after everything queued before it (and after the confirmation), then writes its frame. */
  private enqueue(make: () => Promise<UserStreamOutbound>): void {
    this.queue = this.queue.then(async () => {
      try {
        this.write(await make());
      } catch (error) {
        this.deps.onError(error, 'reading an unread count');
      }
    });
  }

  private write(frame: UserStreamOutbound): void {
    if (this.state === 'closed' || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(frame));
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) this.close(CloseCode.tryAgain);
  }

  private closed(): void {
    clearTimeout(this.expiry);
    if (this.state === 'closed') return;
    const wasJoined = this.state === 'open';
    this.state = 'closed';
    if (wasJoined) this.deps.channels.leave(this).catch((error: unknown) => this.deps.onError(error, 'leaving a user channel'));
  }
}
