/**
 * The user's event stream (`/ws/me/`, PROTOCOL.md Part 7) for the client: connects,
 * reconnects by itself (after a server restart within about a second, with jitter; otherwise
 * with backoff; see reconnect-loop.ts), and reports each event. The stream resumes by re-reading: every
 * `established` means "re-read the conversations now" — its subscription was live before the
 * server said so, so nothing falls between. A 4001 or a revoked session ends it.
 */
import type { AnnouncementOut } from '../protocol/announcements.js';
import type { PublicUser } from '../protocol/http.js';
import type { AdminTopic, UserStreamOutbound } from '../protocol/user-stream.js';
import type { BackoffOptions } from './backoff.js';
import { Emitter } from './emitter.js';
import { ReconnectLoop } from './reconnect-loop.js';
import { withoutTrailingSlashes, type TokenSource, type WebSocketFactory } from './socket.js';

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
  /** A coordinator's announcement to the user's side of the programme. */
  announcement: AnnouncementOut;
  /** Admins only: something their page shows changed, on some instance; re-read it. */
  adminChanged: AdminTopic;
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
  private state: 'idle' | 'running' | 'paused' | 'ended' = 'idle';
  private readonly loop: ReconnectLoop;

  constructor(options: UserEventStreamOptions) {
    super();
    const url = `${withoutTrailingSlashes(options.wsBase)}/ws/me/`;
    this.loop = new ReconnectLoop(options, {
      url: (token) => (token === null ? url : `${url}?token=${encodeURIComponent(token)}`),
      receive: (text) => this.receive(text),
      ended: (reason) => {
        this.state = 'ended';
        this.emit('ended', reason);
      },
    });
  }

  /** Connects; later drops reconnect by themselves. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.loop.connectNow();
  }

  /** Goes quiet (offline) until `resume`. */
  pause(): void {
    if (this.state !== 'running') return;
    this.state = 'paused';
    this.loop.stop();
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    this.loop.connectNow();
  }

  close(): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.loop.stop();
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
        this.loop.established();
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
      case 'announcement':
        return this.emit('announcement', frame);
      case 'admin_changed':
        return this.emit('adminChanged', frame.what);
      case 'force_disconnect':
        this.loop.forced(frame.reason);
        return;
    }
  }
}
