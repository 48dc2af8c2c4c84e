/**
 * The reconnect loop of the client's sockets, one for a chat (`ChatConnection`) and the user's
 * event stream (`UserEventStream`) alike: connect, with the platform's token when there is
 * one; when the socket closes, end for good (a terminal close code or a `force_disconnect`;
 * see close-policy.ts), come back at once with a fresh token (`token_expired`), within about
 * a second after a server restart (1001), or after a growing, jittered delay otherwise.
 * Where a socket resumes is its owner's to say: `url` is asked before every connect.
 */
import { CloseCode } from '../protocol/close-codes.js';
import { backoffDelay, DEFAULT_BACKOFF, RESTART_DELAY, restartDelay, type BackoffOptions } from './backoff.js';
import { ClientClose, endReason } from './close-policy.js';
import type { TokenSource, WebSocketFactory, WebSocketLike } from './socket.js';

/** How a loop opens its sockets and paces its reconnects. */
export interface ReconnectOptions {
  createSocket: WebSocketFactory;
  backoff?: BackoffOptions;
  random?: () => number;
  /** With `AUTH=jwt`: asked before every connect; a `token_expired` close reconnects at once with a fresh one. */
  getToken?: TokenSource;
}

/** What the loop asks of the socket's owner, and tells it. */
export interface ReconnectOwner {
  /** Where the next connect goes (resume point included), with `token` when the platform gave one. */
  url(token: string | null): string;
  /** A text frame from the current socket. */
  receive(text: string): void;
  /** The server ended it for good: `reason` is the `force_disconnect`'s, or one named for `code`. */
  ended(reason: string, code: number): void;
  /** A connect begins; `attempt` counts the failed ones since the last success or reset. */
  connecting?(attempt: number): void;
  /** The next connect waits `delayMs`. */
  waiting?(attempt: number, delayMs: number): void;
  /** The current socket is gone or being replaced: whatever ran on it stops. */
  detached?(): void;
}

/** One socket at a time, reconnected until the server ends it or the owner stops it. */
export class ReconnectLoop {
  private socket: WebSocketLike | null = null;
  /** Identifies the socket whose events are current: a stale socket's late events are ignored. */
  private generation = 0;
  private attempt = 0;
  /** Reconnects left at the short restart delay, after the server said it was restarting (1001). */
  private restartTries = 0;
  private forceReason: string | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly options: ReconnectOptions,
    private readonly owner: ReconnectOwner,
  ) {}

  /** The current socket, once opened and until it closes or is dropped. */
  get current(): WebSocketLike | null {
    return this.socket;
  }

  /** Connects now, with the backoff reset (first start, back online, the user asked). */
  connectNow(): void {
    this.attempt = 0;
    this.connect();
  }

  /** The server confirmed the connection: the next drop starts the backoff and restart delays afresh. */
  established(): void {
    this.attempt = 0;
    this.restartTries = 0;
  }

  /** A `force_disconnect` arrived: the close that follows it is judged by `reason`. */
  forced(reason: string): void {
    this.forceReason = reason;
  }

  /** The socket seems dead (a message went unacknowledged): drops it and reconnects after the backoff. */
  retryLater(): void {
    this.drop(ClientClose.reconnecting);
    this.scheduleReconnect();
  }

  /** Closes the socket with `close` and reconnects no more until `connectNow`. */
  stop(close: { code: number; reason: string } = ClientClose.done): void {
    this.drop(close);
    this.clearTimer();
  }

  private connect(): void {
    this.clearTimer();
    this.drop(ClientClose.reconnecting);
    const generation = ++this.generation;
    this.forceReason = null;
    this.owner.connecting?.(this.attempt);
    const getToken = this.options.getToken;
    if (!getToken) return this.open(generation, null);
    Promise.resolve()
      .then(getToken)
      .then(
        (token) => {
          if (generation === this.generation) this.open(generation, token);
        },
        () => {
          if (generation === this.generation) this.scheduleReconnect();
        },
      );
  }

  /** Opens the socket of connect attempt `generation`. */
  private open(generation: number, token: string | null): void {
    let socket: WebSocketLike;
    try {
      socket = this.options.createSocket(this.owner.url(token));
    } catch {
      return this.scheduleReconnect();
    }
    this.socket = socket;
    socket.onmessage = (event: { data: unknown }) => {
      if (generation === this.generation) this.owner.receive(String(event.data));
    };
    socket.onclose = (event: { code: number }) => {
      if (generation === this.generation) this.closed(event.code);
    };
    socket.onerror = () => {}; // a close event follows
  }

  private closed(code: number): void {
    this.socket = null;
    this.generation++;
    this.owner.detached?.();
    if (this.forceReason === 'token_expired' && this.options.getToken) {
      // Not an end: the next connect asks for a fresh token and resumes where this one stopped.
      return this.connectNow();
    }
    const reason = endReason(code, this.forceReason);
    if (reason !== null) {
      this.clearTimer();
      return this.owner.ended(reason, code);
    }
    if (code === CloseCode.shutdown.code) this.restartTries = RESTART_DELAY.attempts;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.clearTimer();
    const restarting = this.restartTries > 0;
    if (restarting) this.restartTries--;
    const delayMs = restarting ? restartDelay(this.options.random) : backoffDelay(this.attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.owner.waiting?.(this.attempt, delayMs);
    this.attempt++;
    this.timer = setTimeout(() => this.connect(), delayMs);
  }

  /** Detaches the current socket (its late events are ignored) and closes it. */
  private drop(close: { code: number; reason: string }): void {
    const socket = this.socket;
    this.socket = null;
    this.generation++;
    this.owner.detached?.();
    if (!socket) return;
    try {
      socket.close(close.code, close.reason);
    } catch {
      // Already closing.
    }
  }

  private clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
