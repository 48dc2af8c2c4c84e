/**
 * The whole client for one signed-in user: the HTTP API, one `Conversation` per partner (a
 * mentee has one, a mentor several; current ones live, archived ones read-only), and the
 * user's event stream, which brings new matches, pauses, reads elsewhere and unread counts
 * at once — and, after each (re)connect, a re-read of the conversations.
 */
import type { AnnouncementOut } from '../protocol/announcements.js';
import { ApiError, TandemApi, type KnownConversation, type NewUserFields, type PublicUser } from './api.js';
import type { ChatConnectionOptions } from './connection.js';
import { Conversation } from './conversation.js';
import { Emitter } from './emitter.js';
import type { KeyValueStorage } from './outbox.js';
import { wsBaseOf, type TokenSource, type WebSocketFactory } from './socket.js';
import { UserEventStream } from './user-events.js';

/** Where the server is and how to open sockets; the rest has defaults. */
export interface TandemClientOptions {
  /** The server's origin (`http://127.0.0.1:8000`); '' in a page served by Tandem. */
  httpBase: string;
  /** Defaults to `httpBase` with ws(s):. A page passes its own (`location`-derived). */
  wsBase?: string;
  /** Opens sockets. Node: `(url) => new WebSocket(url, { headers: { cookie: client.api.sessionCookie } })`. */
  createSocket: WebSocketFactory;
  /** Keeps unsent messages across reloads (`localStorage`). */
  storage?: KeyValueStorage | null;
  /** Node: keep the session cookie in the client (browsers keep it themselves). */
  rememberCookie?: boolean;
  /**
   * With `AUTH=jwt`: the platform's token, asked for before every request's and every
   * socket's (re)connect, so an expired token is replaced without losing the outbox.
   */
  getToken?: TokenSource;
  fetch?: typeof fetch;
  pageSize?: number;
  connection?: Pick<ChatConnectionOptions, 'backoff' | 'ackTimeoutMs' | 'random' | 'getToken'>;
  /** Follow the user's event stream (`/ws/me/`) once conversations are loaded; default true. */
  userEvents?: boolean;
}

/** The events of a `TandemClient`. */
export interface TandemClientEvents extends Record<string, unknown> {
  /** The list of conversations changed (loaded, or a partner added). */
  conversations: readonly Conversation[];
  /** The session ended under the page (logged out elsewhere, expired): sign in again. */
  signedOut: string;
  /** A coordinator's announcement, live (`announcements()` in programme-api.ts lists the earlier ones). */
  announcement: AnnouncementOut;
}

/** Reasons a conversation ends that mean the session, not the match, is over. */
const SESSION_ENDED = new Set(['logged_out', 'unauthenticated']);

/**
 * A signed-in user and their conversations. `restore` or `signIn`, then `loadConversations`;
 * `pause`/`resume` follow the device's connectivity; a revoked session emits `signedOut`.
 */
export class TandemClient extends Emitter<TandemClientEvents> {
  readonly api: TandemApi;
  user: PublicUser | null = null;
  conversations: Conversation[] = [];
  private paused = false;
  private loading: Promise<readonly Conversation[]> | null = null;
  /** Advanced by every close: a load or an event stream begun before it must not start anything after it. */
  private generation = 0;
  /** The user's event stream, from the first load until sign-out. */
  events: UserEventStream | null = null;

  constructor(private readonly options: TandemClientOptions) {
    super();
    this.api = new TandemApi(options.httpBase, {
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.getToken ? { getToken: options.getToken } : {}),
      rememberCookie: options.rememberCookie ?? false,
    });
  }

  /** The signed-in user of the current session, or null (then: show sign-in). */
  async restore(): Promise<PublicUser | null> {
    try {
      this.user = await this.api.session();
    } catch (error) {
      if (!(error instanceof ApiError && error.routeMissing)) throw error;
      // A server without the session route: ask /api/me, whose 401 means "nobody".
      try {
        this.user = (await this.api.me()).user;
      } catch (inner) {
        if (inner instanceof ApiError && inner.status === 401) return (this.user = null);
        throw inner;
      }
    }
    return this.user;
  }

  /** Signs in; rejects with `ApiError` (`invalid_credentials`, `rate_limited`, …). */
  async signIn(email: string, password: string): Promise<PublicUser> {
    this.closeConversations();
    this.user = await this.api.login(email, password);
    return this.user;
  }

  /** Registers a MENTOR or MENTEE and signs them in. */
  async register(fields: NewUserFields): Promise<PublicUser> {
    await this.api.register(fields);
    return this.signIn(fields.email, fields.password);
  }

  /** Signs out (the server revokes the session) and closes every conversation. */
  async signOut(): Promise<void> {
    this.closeConversations();
    try {
      await this.api.logout();
    } finally {
      this.user = null;
    }
  }

  /**
   * Loads the user's conversations — from `GET /api/chat/conversations`, or from the
   * partners of `/api/me` on a server without it — and starts each one. Calling it again
   * adds new partners and keeps the existing conversations (and their sockets).
   */
  loadConversations(): Promise<readonly Conversation[]> {
    // One load at a time: two overlapping loads would both add a new partner.
    const generation = this.generation;
    if (!this.loading) {
      const started: Promise<readonly Conversation[]> = this.load().finally(() => {
        if (this.loading === started) this.loading = null;
      });
      this.loading = started;
    }
    void this.loading.then(
      () => {
        if (generation === this.generation) this.startEvents();
      },
      () => {},
    );
    return this.loading;
  }

  private startEvents(): void {
    if (this.events || this.options.userEvents === false || !this.user) return;
    const events = new UserEventStream({
      wsBase: this.options.wsBase ?? wsBaseOf(this.options.httpBase),
      createSocket: this.options.createSocket,
      ...(this.options.connection?.backoff ? { backoff: this.options.connection.backoff } : {}),
      ...(this.options.connection?.random ? { random: this.options.connection.random } : {}),
      ...(this.options.getToken ? { getToken: this.options.getToken } : {}),
    });
    this.events = events;
    const reload = () => void this.loadConversations().catch(() => {});
    // Connected (again): whatever happened meanwhile is in the list, so it is re-read.
    events.on('established', reload);
    events.on('matchCreated', reload);
    // An ended match needs nothing here: its chat socket gets force_disconnect, or 4003 on its
    // next connect, and the conversation ends with the notice the page shows.
    events.on('matchState', ({ partnerEmail, paused }) => this.live(partnerEmail)?.setMatchPaused(paused));
    events.on('readState', ({ partnerEmail, lastReadId }) => this.live(partnerEmail)?.readElsewhere(lastReadId));
    events.on('unread', ({ partnerEmail, count }) => this.live(partnerEmail)?.setUnread(count));
    events.on('announcement', (announcement) => this.emit('announcement', announcement));
    events.on('ended', (reason) => {
      if (SESSION_ENDED.has(reason)) this.sessionEnded(reason);
    });
    events.start();
    if (this.paused) events.pause();
  }

  /** The live (not ended) conversation with `partnerEmail`. */
  private live(partnerEmail: string): Conversation | undefined {
    return this.conversations.find((conversation) => conversation.partner.email === partnerEmail && conversation.ended === null);
  }

  private async load(): Promise<readonly Conversation[]> {
    const me = this.user;
    if (!me) throw new Error('not signed in');
    const generation = this.generation;
    let rows: KnownConversation[];
    // What each count was before asking: a live change meanwhile is newer than the list.
    const versions = new Map(this.conversations.map((conversation) => [conversation, conversation.unreadVersion]));
    try {
      rows = await this.api.conversations({ includeArchived: true });
    } catch (error) {
      if (!(error instanceof ApiError && error.routeMissing)) throw error;
      rows = (await this.api.me()).partners.map((partner) => ({ partner, last_message: null, unread_count: 0 }));
    }
    // Signed out or closed meanwhile: nothing is started for a list the caller let go of.
    if (this.user !== me || this.generation !== generation) return this.conversations;
    // A live row matches a live conversation; an archived row one that ended (live or archived).
    const keyOf = (email: string, over: boolean) => `${over ? 'over' : 'live'}:${email}`;
    const known = new Map(this.conversations.map((c) => [keyOf(c.partner.email, c.ended !== null), c]));
    for (const row of rows) {
      const existing = known.get(keyOf(row.partner.email, row.archived === true));
      if (existing && existing.ended === null) existing.applyRow(row, versions.get(existing));
    }
    const added = rows.filter((row) => !known.has(keyOf(row.partner.email, row.archived === true))).sort(byRecency);
    if (added.length === 0 && this.conversations.length > 0) return this.conversations;
    for (const row of added) {
      const conversation = new Conversation({
        api: this.api,
        me,
        partner: row.partner,
        row,
        wsBase: this.options.wsBase ?? wsBaseOf(this.options.httpBase),
        createSocket: this.options.createSocket,
        storage: this.options.storage ?? null,
        ...(this.options.pageSize === undefined ? {} : { pageSize: this.options.pageSize }),
        ...(this.options.connection || this.options.getToken
          ? { connection: { ...this.options.connection, ...(this.options.getToken ? { getToken: this.options.getToken } : {}) } }
          : {}),
      });
      conversation.on('state', (state) => {
        if (state.kind === 'ended' && SESSION_ENDED.has(state.reason)) this.sessionEnded(state.reason);
      });
      // A conversation ended earlier is replaced by the new match with the same partner.
      this.conversations = this.conversations.filter((existing) => existing.partner.email !== row.partner.email);
      this.conversations.push(conversation);
    }
    this.emit('conversations', this.conversations);
    await Promise.all(
      added.map((row) =>
        this.conversations
          .find((conversation) => conversation.partner.email === row.partner.email)!
          .start()
          .then(() => {
            if (this.paused) this.conversationFor(row.partner.email)?.pause();
          }),
      ),
    );
    return this.conversations;
  }

  conversationFor(partnerEmail: string): Conversation | undefined {
    return this.conversations.find((conversation) => conversation.partner.email === partnerEmail);
  }

  /** The device went offline: every connection goes quiet; messages written meanwhile wait. */
  pause(): void {
    this.paused = true;
    this.events?.pause();
    for (const conversation of this.conversations) conversation.pause();
  }

  /** Back online: reconnect now and send what waited. */
  resume(): void {
    this.paused = false;
    this.events?.resume();
    for (const conversation of this.conversations) conversation.resume();
  }

  /** Closes every connection (the client can sign in again afterwards). */
  close(): void {
    this.closeConversations();
  }

  private sessionEnded(reason: string): void {
    if (this.user === null) return;
    this.user = null;
    this.closeConversations();
    this.emit('signedOut', reason);
  }

  private closeConversations(): void {
    this.generation++;
    this.loading = null;
    this.events?.close();
    this.events = null;
    const conversations = this.conversations;
    this.conversations = [];
    for (const conversation of conversations) conversation.close();
    if (conversations.length > 0) this.emit('conversations', this.conversations);
  }
}

/** Current conversations first, then the archive; each most recent first. */
function byRecency(a: KnownConversation, b: KnownConversation): number {
  if (Boolean(a.archived) !== Boolean(b.archived)) return a.archived ? 1 : -1;
  const at = a.last_message?.timestamp ?? '';
  const bt = b.last_message?.timestamp ?? '';
  return at === bt ? 0 : at < bt ? 1 : -1;
}
