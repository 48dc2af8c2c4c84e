/**
 * The WebSocket endpoints: `/ws/chat/<partner_email>/[?after=<message_id>]`, and the user's
 * event stream `/ws/me/` (signed in is enough; see user-stream.ts). The handshake is
 * Tandem's own: it authenticates and authorizes before upgrading, then accepts and — when
 * refused — closes with 4001 or 4003, so the documented codes reach a browser (a refusal
 * before accepting would reach it only as a failed HTTP upgrade). A foreign Origin is
 * refused before upgrading, with HTTP 403. Every outcome is reported to the `watcher`, which
 * may also turn an address away (HTTP 429) before anything is looked up.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { isOriginAllowed, type OriginPolicy } from '../auth/origin.js';
import { isSignInRefusal } from '../auth/claims.js';
import type { Identifier } from '../auth/identity.js';
import type { ChatLimits } from '../config.js';
import type { PresenceRegistry } from '../presence/index.js';
import { CloseCode } from '../protocol/close-codes.js';
import { encodeFrame } from '../protocol/encode.js';
import { ErrorText } from '../protocol/frames.js';
import { parseEmail } from '../protocol/email.js';
import type { MessageFilter } from '../moderation/filter.js';
import type { ConversationConfig } from '../config-types.js';
import type { Store } from '../store/index.js';
import type { Hub } from './hub.js';
import { refuseUpgrade, SocketServer } from '../transport/socket-server.js';
import type { CorkedWrites } from '../transport/write-coalescer.js';
import { KeyedBuckets } from './rate-limit.js';
import { ChatSession, type SessionIdentity } from './session.js';
import type { UserChannels } from './user-channels.js';
import { UserStream } from './user-stream.js';

const CHAT_PATH = /^\/ws\/chat\/([^/]+)\/?$/;
const STREAM_PATH = /^\/ws\/me\/?$/;
const MESSAGE_ID = /^\d{1,15}$/;

export interface GatewayOptions {
  store: Store;
  /** Who a handshake is: the identity methods of `AUTH` (cookie, `?token=`, the platform). */
  identifier: Identifier;
  hub: Hub;
  channels: UserChannels;
  presence: PresenceRegistry;
  limits: ChatLimits;
  origins: OriginPolicy;
  watcher?: HandshakeWatcher;
  onError: (error: unknown, context: string) => void;
  /** What a connection survives by starting again (see `SessionDeps.onWarning`). */
  onWarning?: (message: string, details: Record<string, unknown>) => void;
  /** Policy `moderated`: the filter that holds messages for review; absent otherwise. */
  filter?: MessageFilter | null;
  /** Part 8's settings (edit window, deleted messages' retention, reactions); the defaults when absent. */
  conversation?: ConversationConfig;
}

/** How a handshake ended: refused before upgrading (an HTTP status), or upgraded and then accepted or closed. */
export type HandshakeResult = { status: number } | { accepted: true } | { code: number; reason: string };

/** Sees every handshake; `admit` is asked first and may refuse the address with HTTP 429. */
export interface HandshakeWatcher {
  admit(request: IncomingMessage): boolean;
  outcome(request: IncomingMessage, result: HandshakeResult): void;
}

type Refusal = { code: number; reason: string; error?: string };
type HandshakeOutcome = { ok: true; identity: SessionIdentity } | { ok: false; close: Refusal };

export class ChatGateway {
  /** ws's server, handshake pacing, read budget, write coalescing and pings (see SocketServer). */
  private readonly sockets: SocketServer;
  private readonly sessions = new Set<ChatSession>();
  private readonly streams = new Set<UserStream>();
  /** Open chat sockets per user id, and the inbound rate each user's sockets share (both per instance). */
  private readonly socketsPerUser = new Map<number, number>();
  private readonly userRates: KeyedBuckets;
  private accepting = true;

  constructor(private readonly options: GatewayOptions) {
    const { sessions, streams } = this;
    this.sockets = new SocketServer(
      options.limits,
      function* () {
        yield* sessions;
        yield* streams;
      },
      options.onError,
    );
    this.userRates = new KeyedBuckets(options.limits.userRatePerSecond, options.limits.userRateBurst);
  }

  /** Takes over HTTP upgrades of `server`. */
  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.handleUpgrade(request, socket, head);
    });
  }

  /** Live chat sessions on this instance. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Stops accepting, lets every session finish what it has in flight (stored, published,
   * echoed), then closes each socket with `close`. Peers that do not answer the close
   * handshake within `graceMs` are cut off.
   */
  async close(close: { code: number; reason: string } = CloseCode.shutdown, graceMs = 2000): Promise<void> {
    this.accepting = false;
    this.sockets.stopPings();
    const sessions = [...this.sessions];
    await Promise.all(sessions.map((session) => session.drain().catch((error: unknown) => this.options.onError(error, 'draining'))));
    for (const session of sessions) session.close(close);
    for (const stream of [...this.streams]) stream.close(close);
    await this.sockets.close(graceMs);
  }

  private handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const match = CHAT_PATH.exec(url.pathname);
    const refuse = (status: number, text: string) => this.refuse(request, socket, status, text);
    if (this.options.watcher && !this.options.watcher.admit(request)) return refuse(429, 'Too Many Requests');
    const stream = STREAM_PATH.test(url.pathname);
    if (!match && !stream) return refuse(404, 'Not Found');
    if (!this.accepting) return refuse(503, 'Service Unavailable');
    if (!isOriginAllowed(request.headers, this.options.origins)) return refuse(403, 'Forbidden');
    if (!match) {
      this.sockets.pace(() => {
        this.upgradeStream(request, socket, head, url.searchParams.get('token')).catch((error: unknown) => {
          this.options.onError(error, 'event stream handshake');
          socket.destroy();
        });
      });
      return;
    }
    let partnerEmail: string;
    try {
      const decoded = decodeURIComponent(match[1]!);
      // Text no email can have is nobody's: 4003 like any stranger, without asking the store.
      const verdict = parseEmail(decoded);
      partnerEmail = 'email' in verdict ? verdict.email : '';
    } catch {
      partnerEmail = '';
    }
    const after = url.searchParams.get('after');
    const token = url.searchParams.get('token');
    this.sockets.pace(() => {
      this.upgrade(request, socket, head, partnerEmail, after, token).catch((error: unknown) => {
        this.options.onError(error, 'websocket handshake');
        socket.destroy();
      });
    });
  }

  /** The queued part of a handshake: authorize, upgrade, open. */
  private async upgrade(
    request: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    partnerEmail: string,
    after: string | null,
    token: string | null,
  ): Promise<void> {
    // The client may have given up while this waited for its turn; shutdown may have begun.
    if (socket.destroyed) return;
    if (!this.accepting) return this.refuse(request, socket, 503, 'Service Unavailable');
    const outcome: HandshakeOutcome =
      after !== null && !MESSAGE_ID.test(after)
        ? { ok: false, close: { ...CloseCode.policy, error: ErrorText.invalidAfter } }
        : await this.authorize(request, partnerEmail, after === null ? null : Number(after), token);
    // The 101 and what the session sends at its start leave in one write.
    const writes = this.sockets.corkedWrites(socket);
    this.sockets.upgrade(request, socket, head, (ws) => {
      this.options.watcher?.outcome(request, outcome.ok ? { accepted: true } : { code: outcome.close.code, reason: outcome.close.reason });
      if (!outcome.ok) {
        if (outcome.close.error) ws.send(encodeFrame({ type: 'error', message: outcome.close.error, code: 'invalid_after' }));
        ws.close(outcome.close.code, outcome.close.reason);
        return;
      }
      this.open(ws, writes, outcome.identity);
    });
  }

  /** The queued part of an event stream's handshake: authenticate, upgrade, open (or close 4001). */
  private async upgradeStream(request: IncomingMessage, socket: Duplex, head: Buffer, token: string | null): Promise<void> {
    if (socket.destroyed) return;
    if (!this.accepting) return this.refuse(request, socket, 503, 'Service Unavailable');
    let refusal: Refusal | null = null;
    let session: Awaited<ReturnType<Identifier['identify']>> = null;
    try {
      session = await this.options.identifier.identify({ cookie: request.headers.cookie, authorization: request.headers.authorization, token });
      if (!session) refusal = CloseCode.unauthenticated;
    } catch (error) {
      if (isSignInRefusal(error)) refusal = CloseCode.unauthenticated;
      else {
        this.options.onError(error, 'authorizing an event stream');
        refusal = CloseCode.internalError;
      }
    }
    this.sockets.upgrade(request, socket, head, (ws) => {
      this.options.watcher?.outcome(request, refusal ? { code: refusal.code, reason: refusal.reason } : { accepted: true });
      if (refusal || !session) return ws.close((refusal ?? CloseCode.internalError).code, (refusal ?? CloseCode.internalError).reason);
      this.openStream(ws, session.user, session.sessionHash, session.expiresAt);
    });
  }

  /** Counts toward the user's socket cap, like a chat socket. */
  private openStream(ws: WebSocket, user: SessionIdentity['user'], sessionHash: string, expiresAt: Date | null): void {
    const { store, channels, limits, onError } = this.options;
    if (!this.countSocket(user.id)) {
      ws.close(CloseCode.tooManyConnections.code, CloseCode.tooManyConnections.reason);
      return;
    }
    const stream = new UserStream(ws, user, sessionHash, { store: store.messages, channels, limits, onError }, expiresAt);
    this.streams.add(stream);
    ws.on('close', () => {
      this.streams.delete(stream);
      this.uncountSocket(user.id);
    });
    void stream.start();
  }

  /** Takes one of the user's sockets on this instance; false when they have all of them open. */
  private countSocket(userId: number): boolean {
    const open = this.socketsPerUser.get(userId) ?? 0;
    if (open >= this.options.limits.maxConnectionsPerUser) return false;
    this.socketsPerUser.set(userId, open + 1);
    return true;
  }

  private uncountSocket(userId: number): void {
    const left = (this.socketsPerUser.get(userId) ?? 1) - 1;
    if (left > 0) this.socketsPerUser.set(userId, left);
    else this.socketsPerUser.delete(userId);
  }

  /** Refuses before upgrading, with a bare HTTP status; the watcher hears of it. */
  private refuse(request: IncomingMessage, socket: Duplex, status: number, text: string): void {
    this.options.watcher?.outcome(request, { status });
    refuseUpgrade(socket, status, text);
  }

  /** Whatever the identity method, the match check is the same; a method that cannot tell (the platform is down) is 1011. */
  private async authorize(request: IncomingMessage, partnerEmail: string, resumeAfter: number | null, token: string | null): Promise<HandshakeOutcome> {
    try {
      const identity = await this.options.identifier.identify({ cookie: request.headers.cookie, authorization: request.headers.authorization, token });
      if (!identity) return { ok: false, close: CloseCode.unauthenticated };
      const { user, sessionHash, expiresAt } = identity;
      const found = partnerEmail ? await this.options.store.matches.activePairWith(user, partnerEmail) : null;
      if (!found) return { ok: false, close: CloseCode.forbidden };
      return { ok: true, identity: { user, partner: found.partner, pair: found.pair, sessionHash, resumeAfter, expiresAt } };
    } catch (error) {
      // The platform vouched, Tandem refuses (identity_conflict, role_locked): a refusal like any other.
      if (isSignInRefusal(error)) return { ok: false, close: CloseCode.unauthenticated };
      this.options.onError(error, 'authorizing a websocket');
      return { ok: false, close: CloseCode.internalError };
    }
  }

  private open(ws: WebSocket, writes: CorkedWrites, identity: SessionIdentity): void {
    const { store, hub, channels, presence, limits, onError, onWarning, filter, conversation } = this.options;
    const userId = identity.user.id;
    if (!this.countSocket(userId)) {
      ws.close(CloseCode.tooManyConnections.code, CloseCode.tooManyConnections.reason);
      return;
    }
    const userRate = { take: () => this.userRates.take(userId) };
    const session = new ChatSession(ws, identity, { store, hub, channels, presence, limits, onError, onWarning, userRate, filter, conversation, writes });
    this.sessions.add(session);
    ws.on('close', () => {
      this.sessions.delete(session);
      this.uncountSocket(userId);
    });
    void session.start();
  }
}
