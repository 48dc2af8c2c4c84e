/**
 * The user's event stream (`/ws/me/`, PROTOCOL.md Part 7) for the client: connects,
 * reconnects by itself (after a server restart within about a second, with jitter; otherwise
 * with backoff), and reports each event. The stream resumes by re-reading: every
 * `established` means "re-read the conversations now" — its subscription was live before the
 * server said so, so nothing falls between. A 4001 or a revoked session ends it.
 */
import { CloseCode } from '../protocol/close-codes.js';
import type { PublicUser } from '../protocol/http.js';
import type { UserStreamOutbound } from '../protocol/user-stream.js';
import { backoffDelay, DEFAULT_BACKOFF, RESTART_DELAY, restartDelay, type BackoffOptions } from './backoff.js';
import { ClientClose, terminalReason } from './close-policy.js';
import { Emitter } from './emitter.js';
import { withoutTrailingSlashes, type TokenSource, type WebSocketFactory, type WebSocketLike } from './socket.js';

/** The events of a `UserEventStream`. */
export interface UserEventStreamEvents extends Record<string, unknown> {
  /** Connected (again): re-read what the stream summarizes. */
  established: undefined;
  matchCreated: PublicUser;
  matchEnded: { partnerEmail: string; reason: string };
  matchState: { partnerEmail: string; paused: boolean };
  /** The user read `partnerEmail`'s messages on another tab or device. */
  readState: { partnerEmail: string; lastReadId: string | null };
  unread: { partnerEmail: string; count: number };
  /** The stream is over for good (`unauthenticated`, `logged_out`, …). */
  ended: string;
}

export interface UserEventStreamOptions {
  /** `ws://host:port` */
  wsBase: string;
  createSocket: WebSocketFactory;
  backoff?: BackoffOptions;
  random?: () => number;
  /** With `AUTH=jwt`: asked before every (re)connect; a `token_expired` reconnects at once with a fresh one. */
  getToken?: TokenSource;
}

/** The stream of one signed-in user; `start` once, `close` when done. */
export class UserEventStream extends Emitter<UserEventStreamEvents> {
  private socket: WebSocketLike | null = null;
  private generation = 0;
  private attempt = 0;
  private restartTries = 0;
  private forceReason: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private state: 'idle' | 'running' | 'paused' | 'ended' = 'idle';

  constructor(private readonly options: UserEventStreamOptions) {
    super();
  }

  /** Connects; later drops reconnect by themselves. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.connect();
  }

  /** Goes quiet (offline) until `resume`. */
  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.drop();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.attempt = 0;
    this.connect();
  }

  close(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.drop();
  }

  private connect(): void {
    clearTimeout(this.timer);
    this.drop();
    const generation = ++this.generation;
    this.forceReason = null;
    const getToken = this.options.getToken;
    if (!getToken) return this.open(generation, null);
    Promise.resolve().then(getToken).then(
      (token) => {
        if (generation === this.generation) this.open(generation, token);
      },
      () => {
        if (generation === this.generation) this.scheduleReconnect();
      },
    );
  }

  private open(generation: number, token: string | null): void {
    const url = `${withoutTrailingSlashes(this.options.wsBase)}/ws/me/`;
    let socket: WebSocketLike;
    try {
      socket = this.options.createSocket(token === null ? url : `${url}?token=${encodeURIComponent(token)}`);
    } catch {
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.onmessage = (event: { data: unknown }) => {
      if (generation === this.generation) this.receive(String(event.data));
    };
    socket.onclose = (event: { code: number }) => {
      if (generation === this.generation) this.closed(event.code);
    };
    socket.onerror = () => {};
  }

  private receive(text: string): void {
    let frame: UserStreamOutbound | { type: 'force_disconnect'; reason: string };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'connection_established':
        this.attempt = 0;
        this.restartTries = 0;
        return this.emit('established', undefined);
      case 'match_created':
        return this.emit('matchCreated', frame.partner);
      case 'match_ended':
        return this.emit('matchEnded', { partnerEmail: frame.partner_email, reason: frame.reason });
      case 'match_state':
        return this.emit('matchState', { partnerEmail: frame.partner_email ?? '', paused: frame.state === 'paused' });
      case 'read_state':
        return this.emit('readState', { partnerEmail: frame.partner_email, lastReadId: frame.last_read_id });
      case 'unread':
        return this.emit('unread', { partnerEmail: frame.partner_email, count: frame.unread_count });
      case 'force_disconnect':
        this.forceReason = frame.reason;
        return;
    }
  }

  private closed(code: number): void {
    this.socket = null;
    this.generation++;
    if (this.state !== 'running') return;
    if (this.forceReason === 'token_expired' && this.options.getToken) {
      this.attempt = 0;
      return this.connect();
    }
    const terminal = this.forceReason ?? terminalReason(code);
    if (terminal !== null && code !== CloseCode.tooManyConnections.code) {
      this.state = 'ended';
      this.emit('ended', terminal);
      return;
    }
    if (code === CloseCode.shutdown.code) this.restartTries = RESTART_DELAY.attempts;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.timer);
    const restarting = this.restartTries > 0;
    if (restarting) this.restartTries--;
    const delayMs = restarting ? restartDelay(this.options.random) : backoffDelay(this.attempt++, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.timer = setTimeout(() => this.connect(), delayMs);
  }

  private drop(): void {
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    this.generation++;
    try {
      socket?.close(ClientClose.done.code, ClientClose.done.reason);
    } catch {
      // Already closing.
    }
  }
}
