/**
 * The HTTP API of PROTOCOL.md Part 3, typed. Uses the global `fetch` (Node 20 and browsers).
 * In a browser the session cookie is the browser's business (`credentials: 'include'`); in
 * Node, `rememberCookie` keeps the `sessionid` from the login reply and sends it back.
 */

import type {
  AdminCounts,
  AuditEntryView,
  ConversationRow,
  DirectoryEntry,
  DirectoryPage,
  HeldView,
  HistoryMessage,
  HistoryPage,
  MeResponse,
  NewUserFields,
  PublicMatch,
  PublicUser,
  ReportView,
  SearchHit,
  SearchPage,
  UndeliveredMessage,
  WordListView,
} from '../protocol/http.js';
import type { WireAttachment } from '../protocol/frames.js';
import type { WebhookDelivery, WebhookStatus } from '../protocol/webhooks.js';
import { ApiError } from './api-error.js';

export type {
  AdminCounts,
  AuditEntryView,
  ConversationRow,
  DirectoryEntry,
  DirectoryPage,
  HeldView,
  HistoryMessage,
  HistoryPage,
  MeResponse,
  NewUserFields,
  PublicMatch,
  PublicUser,
  ReportView,
  SearchHit,
  SearchPage,
  UndeliveredMessage,
  WireAttachment,
  WordListView,
};

/** A conversation as the client knows it: from the server's list, or only the partner (presence and state unknown). */
export type KnownConversation = Omit<ConversationRow, 'partner_online' | 'archived' | 'paused'> & {
  partner_online?: boolean;
  archived?: boolean;
  paused?: boolean;
};

export { ApiError } from './api-error.js';

/** How the API client reaches the server and keeps the session. */
export interface TandemApiOptions {
  /** Defaults to `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Keep the session cookie here (Node); browsers keep it themselves. */
  rememberCookie?: boolean;
  /** With `AUTH=jwt`: the platform's token, sent as `Authorization: Bearer` with every request. */
  getToken?: () => string | Promise<string>;
}

/**
 * One method per endpoint. Each resolves with the parsed JSON body and rejects with an
 * `ApiError` carrying the server's error code (or `network` when the server is unreachable).
 */
export class TandemApi {
  private cookie: string | null = null;
  private readonly fetcher: typeof fetch;

  /** `base` is the server's origin, e.g. `http://127.0.0.1:8000`, or '' for same-origin in a page. */
  constructor(
    readonly base: string,
    private readonly options: TandemApiOptions = {},
  ) {
    this.fetcher = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** `sessionid=…` for a Node WebSocket's Cookie header; null before login or in a browser. */
  get sessionCookie(): string | null {
    return this.cookie;
  }

  login(email: string, password: string): Promise<PublicUser> {
    return this.request('POST', '/api/auth/login', { email, password });
  }

  register(fields: NewUserFields): Promise<PublicUser> {
    return this.request('POST', '/api/auth/register', fields);
  }

  async logout(): Promise<void> {
    await this.request('POST', '/api/auth/logout', {});
    this.cookie = null;
  }

  /** Who is signed in (null: nobody) — answered 200 either way, so a page asks without a 401 in the console. */
  async session(): Promise<PublicUser | null> {
    return (await this.request<{ user: PublicUser | null }>('GET', '/api/auth/session')).user;
  }

  me(): Promise<MeResponse> {
    return this.request('GET', '/api/me');
  }

  /**
   * The conversations with unread counts — with `includeArchived`, also the ended ones still
   * readable (`archived`); rejects with `routeMissing` on a server without Part 3's chat routes.
   */
  async conversations(options: { includeArchived?: boolean } = {}): Promise<ConversationRow[]> {
    const path = options.includeArchived ? '/api/chat/conversations?include=archived' : '/api/chat/conversations';
    return (await this.request<{ conversations: ConversationRow[] }>('GET', path)).conversations;
  }

  /** A page of history, oldest first. `before`/`after` are message ids. */
  messages(partnerEmail: string, page: { before?: string; after?: string; limit?: number } = {}): Promise<HistoryPage> {
    const query = new URLSearchParams();
    if (page.before !== undefined) query.set('before', page.before);
    if (page.after !== undefined) query.set('after', page.after);
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    const encoded = query.toString();
    const suffix = encoded === '' ? '' : `?${encoded}`;
    return this.request('GET', `/api/chat/${encodeURIComponent(partnerEmail)}/messages${suffix}`);
  }

  /**
   * Uploads a file to send to the partner: its type is decided by the server from the bytes
   * (`attachment_type` 415 when not allowed), an image loses its metadata. Send the returned
   * `attachment_id` in a message's `attachments` (see `Conversation.send`).
   */
  uploadAttachment(partnerEmail: string, file: Blob | Uint8Array, options: { name: string; contentType?: string }): Promise<WireAttachment> {
    const type = options.contentType || (file instanceof Blob && file.type) || 'application/octet-stream';
    const path = `/api/chat/${encodeURIComponent(partnerEmail)}/attachments?name=${encodeURIComponent(options.name)}`;
    return this.request('POST', path, undefined, { body: file, contentType: type });
  }

  /** Where a file is downloaded (`GET`, with the session): for a link or an image's `src`. */
  attachmentUrl(attachmentId: string): string {
    return `${this.base}/api/attachments/${encodeURIComponent(attachmentId)}`;
  }

  /** Messages of the pair with every word of `q`, newest first, each with its `highlight` (escaped HTML, matches in `<mark>`). */
  search(partnerEmail: string, q: string, page: { before?: string; limit?: number } = {}): Promise<SearchPage> {
    const query = new URLSearchParams({ q });
    if (page.before !== undefined) query.set('before', page.before);
    if (page.limit !== undefined) query.set('limit', String(page.limit));
    return this.request('GET', `/api/chat/${encodeURIComponent(partnerEmail)}/search?${query.toString()}`);
  }

  markRead(partnerEmail: string): Promise<{ count: number }> {
    return this.request('POST', `/api/chat/${encodeURIComponent(partnerEmail)}/read`, {});
  }

  createUser(fields: NewUserFields): Promise<PublicUser> {
    return this.request('POST', '/api/users', fields);
  }

  createMatch(mentorEmail: string, menteeEmail: string): Promise<PublicMatch> {
    return this.request('POST', '/api/matches', { mentor_email: mentorEmail, mentee_email: menteeEmail });
  }

  async endMatch(menteeEmail: string): Promise<void> {
    await this.request('DELETE', `/api/matches/${encodeURIComponent(menteeEmail)}`);
  }

  /** Pauses (`paused` true) or resumes the mentee's match (ADMIN). */
  setMatchPaused(menteeEmail: string, paused: boolean): Promise<PublicMatch> {
    return this.request('POST', `/api/matches/${encodeURIComponent(menteeEmail)}/${paused ? 'pause' : 'resume'}`, {});
  }

  /** One page of the admin's directory (`GET /api/users`). */
  directory(query: { role?: string; status?: 'matched' | 'unmatched'; q?: string; cursor?: string; limit?: number } = {}): Promise<DirectoryPage> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
    const encoded = params.toString();
    return this.request('GET', `/api/users${encoded === '' ? '' : `?${encoded}`}`);
  }

  async matches(): Promise<PublicMatch[]> {
    return (await this.request<{ matches: PublicMatch[] }>('GET', '/api/matches')).matches;
  }

  /** Reports a message of the pair to the admins. */
  report(partnerEmail: string, messageId: string, reason: string): Promise<{ report_id: string }> {
    return this.request('POST', `/api/chat/${encodeURIComponent(partnerEmail)}/messages/${encodeURIComponent(messageId)}/report`, { reason });
  }

  /** Admins: held messages awaiting review, with context. */
  async moderation(): Promise<HeldView[]> {
    return (await this.request<{ held: HeldView[] }>('GET', '/api/moderation')).held;
  }

  approve(heldId: string): Promise<unknown> {
    return this.request('POST', `/api/moderation/${encodeURIComponent(heldId)}/approve`);
  }

  reject(heldId: string, reason: string): Promise<unknown> {
    return this.request('POST', `/api/moderation/${encodeURIComponent(heldId)}/reject`, { reason });
  }

  /** Admins: the filter's word list. */
  words(): Promise<WordListView> {
    return this.request('GET', '/api/moderation/words');
  }

  /** Admins: adds and takes off phrases of the filter's word list. */
  changeWords(change: { add?: string[]; remove?: string[] }): Promise<WordListView> {
    return this.request('PUT', '/api/moderation/words', change);
  }

  /** Admins: reports, open ones unless `all`. */
  async reports(all = false): Promise<ReportView[]> {
    return (await this.request<{ reports: ReportView[] }>('GET', `/api/reports${all ? '?status=all' : ''}`)).reports;
  }

  resolveReport(reportId: string, note: string): Promise<ReportView> {
    return this.request('POST', `/api/reports/${encodeURIComponent(reportId)}/resolve`, { note });
  }

  /** Admins: the newest audit entries. */
  async audit(limit = 50): Promise<AuditEntryView[]> {
    return (await this.request<{ entries: AuditEntryView[] }>('GET', `/api/audit?limit=${limit}`)).entries;
  }

  /** Admins: the live counts (held, reports, at risk, failed deliveries). */
  adminCounts = (): Promise<AdminCounts> => this.request('GET', '/api/admin/counts');

  /** Webhook deliveries of `status` (admin), newest first. */
  async webhookDeliveries(status: WebhookStatus = 'failed'): Promise<WebhookDelivery[]> {
    return (await this.request<{ deliveries: WebhookDelivery[] }>('GET', `/api/webhooks/deliveries?status=${status}`)).deliveries;
  }

  /** Sends a failed delivery again (admin); resolves with it, pending. */
  retryWebhookDelivery(id: string): Promise<WebhookDelivery> {
    return this.request('POST', `/api/webhooks/deliveries/${encodeURIComponent(id)}/retry`, {});
  }

  /** Sends one request (a JSON body, or `raw` bytes of a type); resolves with the JSON body (undefined for 204), rejects with `ApiError`. */
  async request<T>(method: string, path: string, body?: unknown, raw?: { body: Blob | Uint8Array; contentType: string }): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (raw) headers['content-type'] = raw.contentType;
    if (this.cookie) headers.cookie = this.cookie;
    if (this.options.getToken) headers.authorization = `Bearer ${await this.options.getToken()}`;
    let response: Response;
    try {
      response = await this.fetcher(this.base + path, {
        method,
        headers,
        credentials: 'include',
        ...(raw ? { body: raw.body as Blob } : body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new ApiError(0, 'network', 'Cannot reach Tandem. Check your connection and try again.');
    }
    if (this.options.rememberCookie) this.keepCookie(response.headers.get('set-cookie'));
    const text = await response.text();
    let data: unknown;
    try {
      data = text === '' ? undefined : JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const error = (data ?? {}) as { error?: unknown; message?: unknown };
      throw new ApiError(
        response.status,
        typeof error.error === 'string' ? error.error : 'http_error',
        typeof error.message === 'string' ? error.message : `The server answered ${response.status}.`,
      );
    }
    return data as T;
  }

  private keepCookie(setCookie: string | null): void {
    const match = setCookie ? /(?:^|[;,]\s*)sessionid=([^;]*)/.exec(setCookie) : null;
    if (match) this.cookie = match[1] ? `sessionid=${match[1]}` : null;
  }
}
