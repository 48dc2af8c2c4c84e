/** The shape of Tandem's settings: a row of the settings table, what `loadConfig` returns, and the slices each part receives. */

export type DatabaseConfig = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; poolSize: number };
export type LayerConfig = { kind: 'memory' } | { kind: 'redis'; url: string; prefix: string };

export interface Config {
  host: string;
  port: number;
  database: DatabaseConfig;
  layer: LayerConfig;
  admin: { email: string; password: string } | null;
  /** Origins allowed for handshakes and state-changing requests; `null` means "the request's own host". */
  allowedOrigins: readonly string[] | null;
  cookieSecure: boolean;
  registrationOpen: boolean;
  /** The roles `POST /api/auth/register` may create (SELF_REGISTRATION_ROLES); an admin creates the others. */
  selfRegistrationRoles: ReadonlyArray<'MENTOR' | 'MENTEE'>;
  sessionTtlSeconds: number;
  /** How long a one-time password reset link stays good. */
  passwordResetTtlMinutes: number;
  /** scrypt's cost N for new password hashes (r=8, p=1); weaker stored hashes are made again at sign-in. */
  passwordScryptN: number;
  chat: ChatLimits;
  /** Most mentees one mentor may have at once; `null`: no limit. */
  mentorCapacity: number | null;
  /** Days after an unmatch during which the former pair may still read its history; 0: not at all. */
  archiveDays: number;
  /** Page sizes of `GET /api/chat/{partner}/messages`. */
  history: { defaultLimit: number; maxLimit: number };
  /** Failed logins allowed per account and per client address within one window. */
  loginThrottle: LoginThrottle;
  registrationThrottle: RegistrationThrottle;
  /** Fastify's `trustProxy`: whom to believe about the client address (X-Forwarded-For). */
  trustProxy: boolean | number | string[];
  /** How often each room with local connections is checked against the store's last `seq`; 0: never. */
  deliveryCheckIntervalMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** `auto`: readable lines when stdout is a terminal, JSON lines otherwise. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** A store call that has not settled after this long is answered `unavailable`. */
  storeTimeoutMs: number;
  /** How long SIGTERM may drain before what is left is closed and the process exits. */
  shutdownTimeoutMs: number;
  /** Where the pages are served from (`https://chat.example.org`); when set, the origin rule trusts it and not `Host`. */
  publicOrigin: string | null;
  connections: ConnectionLimits;
  /** A second listener for operators (`/metrics`, `/healthz`, `/readyz`); `port: null`: everything on the public port. */
  metrics: { port: number | null; host: string; token: string | null };
  /** Failed WebSocket handshakes allowed per client address within a minute; past it, HTTP 429. */
  handshakeThrottle: { failuresPerAddress: number };
  /** Who a request is (PROTOCOL.md Part 5): the identity methods, and the server API's keys. */
  identity: IdentityConfig;
  safeguarding: SafeguardingConfig;
  /** Edit, delete and reactions (PROTOCOL.md Part 8). */
  conversation: ConversationConfig;
  programme: ProgrammeConfig;
  /** Scheduled backups (SQLite only); null when `BACKUP_DIR` is unset. */
  backups: BackupConfig | null;
  /** The erasure log's file (see docs/backups.md); null: none is kept. */
  erasureLog: string | null;
  /** Uploads (PROTOCOL.md Part 8): the largest file, a user's bytes per 24 hours, the types allowed (decided from the bytes). */
  attachments: { maxBytes: number; dailyBytes: number; types: readonly string[] };
  /** Events to the platform (PROTOCOL.md Part 6); null when `WEBHOOK_URL` is unset. */
  webhooks: WebhookConfig | null;
}

export type IdentityMethodName = 'local' | 'jwt' | 'proxy';

/** `AUTH` and what each method needs; `jwt`/`proxy` are null when `AUTH` does not name them. */
export interface IdentityConfig {
  /** In the order `AUTH` lists them; the first that recognises a request decides. */
  methods: readonly IdentityMethodName[];
  jwt: JwtConfig | null;
  proxy: ProxyConfig | null;
  apiKeys: readonly ApiKey[];
}

/** How platform tokens are checked. */
export interface JwtConfig {
  key: { kind: 'secret'; secret: string } | { kind: 'pem'; pem: string } | { kind: 'jwks'; url: string };
  issuer: string | null;
  audience: string | null;
  /** `exp` may lie at most this far after `iat` (or after now, without `iat`). */
  maxLifetimeSeconds: number;
  /** The least time between two JWKS fetches that an unknown `kid` forces. */
  jwksRefreshSeconds: number;
}

/** The platform endpoint that says who a cookie belongs to. */
export interface ProxyConfig {
  url: string;
  /** How long a 200 answer is reused for the same credentials; 0: never. */
  cacheSeconds: number;
  /** Past this the platform counts as down: 503 / close 1011. */
  timeoutMs: number;
}

/** One server API key: requests bearing `secret` act as the admin `api:<name>`. */
export interface ApiKey {
  name: string;
  secret: string;
}

/** What admins may see of conversations (PROTOCOL.md Part 7), and what the filter of `moderated` holds. */
export type ConversationPolicy = 'private' | 'oversight' | 'moderated';
export const CONVERSATION_POLICIES: readonly ConversationPolicy[] = ['private', 'oversight', 'moderated'];

export interface ConversationConfig {
  /** How long after sending a message may be edited; 0: never. */
  editWindowSeconds: number;
  /** How long a deleted message's text is kept for admins; 0: erased at deletion. */
  deletedRetentionDays: number;
  /** The published set of reactions, in order. */
  reactions: readonly string[];
}

/** Part 8's settings at their defaults (see config-table-conversation.ts). */
export const DEFAULT_CONVERSATION: ConversationConfig = Object.freeze({
  editWindowSeconds: 900,
  deletedRetentionDays: 30,
  reactions: Object.freeze(['👍', '❤️', '😂', '😮', '😢', '🙏', '🎉', '✅']),
});

export interface SafeguardingConfig {
  policy: ConversationPolicy;
  /** The word list of the filter (one word or phrase a line); `null`: no words, contact details only. */
  wordsFile: string | null;
  /** ISO 3166 codes whose national phone formats the filter knows, tried in order. */
  phoneCountries: readonly string[];
  /** Messages older than this many days are deleted; `null`: kept for ever. */
  retentionDays: number | null;
}

/** When a pair counts as at risk (PROTOCOL.md Part 9), and how often each instance looks. */
export interface ProgrammeConfig {
  silentDays: number;
  unansweredHours: number;
  checkIntervalMs: number;
  /** `SAFEGUARDING_CONTACT`: shown to participants by "Get help now"; null when unset. */
  safeguardingContact: string | null;
}

/** Where events go, how they are signed, and how long Tandem keeps trying. */
export interface WebhookConfig {
  url: string;
  /** `whsec_<base64>`, the Standard Webhooks signing secret. */
  secret: string;
  /** An attempt that has not answered after this long counts as failed. */
  timeoutMs: number;
  /** How long after an event (or its manual retry) Tandem keeps retrying before it is `failed`. */
  retryMs: number;
  /** Backoff with full jitter: before attempt n+1, a random wait up to min(max, base × 2^(n-1)). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often each instance looks for due events when it found none. */
  pollIntervalMs: number;
  /** How long a message stays unread before `message.unread` is sent. */
  unreadAfterMs: number;
}

/** What one client, and everyone together, may hold of the public port, and for how long. */
export interface ConnectionLimits {
  /** Open TCP connections (WebSockets included); past it a new one is closed at once. */
  maxTotal: number;
  /** Open TCP connections per peer address; past it a new one is closed at once. */
  maxPerAddress: number;
  /** Time to receive a request's headers, from the connection's start (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive a whole request. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveTimeoutMs: number;
  /**
   * Connections the kernel queues before Tandem accepts them (listen's backlog, capped by
   * `net.core.somaxconn`). Node's 511 drops the SYNs of a reconnect storm past it, and each
   * dropped client waits out TCP's retransmission (1 s, 3 s, 7 s, 15 s…) before it even knocks again.
   */
  listenBacklog: number;
}

/** Per-connection protections of the WebSocket endpoint (PROTOCOL.md Part 2, "limits" and "liveness"). */
export interface ChatLimits {
  /** Largest inbound frame; larger closes with 1009. */
  maxFrameBytes: number;
  /** Sustained inbound frames per second per connection (token bucket refill rate). */
  ratePerSecond: number;
  /** Frames a connection may send in a burst (token bucket size). */
  rateBurst: number;
  /** Rate-limited frames in a row after which the connection is closed with 1008. */
  floodCloseAfter: number;
  /** Unsent bytes a connection may have queued before it is closed with 1013. */
  maxBufferedBytes: number;
  /** How long a connection closed with 1013 may take to read its close frame before it is cut. */
  slowCloseGraceMs: number;
  /** How often the server pings; a peer that has not answered by the next ping is dropped. */
  pingIntervalMs: number;
  /** A partner's `is_typing: true` is cleared after this long without renewal. */
  typingTimeoutMs: number;
  /** Open chat sockets one user may have on this instance; the next is closed with 4029. */
  maxConnectionsPerUser: number;
  /** Sustained inbound frames per second of one user across all their sockets on this instance. */
  userRatePerSecond: number;
  /** Burst of one user's inbound frames across all their sockets on this instance. */
  userRateBurst: number;
  /** Sustained `POST /api/chat/{partner}/read` requests per second of one user on this instance. */
  markReadRatePerSecond: number;
  /** Burst of one user's mark-read requests on this instance. */
  markReadRateBurst: number;
  /** WebSocket reads handled per event-loop turn (and sockets put off that are resumed per turn; see read-budget.ts), and sockets pinged per turn in a ping round. */
  readsPerTurn: number;
}

/** Brute-force protection of `POST /api/auth/login`: counts failed attempts only, per window. */
export interface LoginThrottle {
  /** Failures of one account (from anywhere) after which failed addresses wait growing delays. */
  perAccount: number;
  /** Failures of one account from one address: a hard limit. */
  perAccountAddress: number;
  /** Failures from one address across accounts: a hard limit. */
  perAddress: number;
  windowSeconds: number;
  /** The cap of the growing delay (1, 2, 4 … seconds). */
  maxDelaySeconds: number;
}

/** Registration attempts per client address, in the login throttle's window. */
export interface RegistrationThrottle {
  perAddress: number;
  windowSeconds: number;
}

/** How a setting's text is read (config-read.ts). */
export type SettingType = 'integer' | 'decimal' | 'boolean' | 'enum' | 'list' | 'string' | 'secret' | 'url';

/** One row of the settings table (config-table.ts): one environment variable. */
export interface Setting {
  readonly name: string;
  readonly type: SettingType;
  /** The section of docs/settings.md it is listed under. */
  readonly area: string;
  /** As the environment would give it; `null`: unset unless the operator sets it. */
  readonly default: string | null;
  /** What leaving it unset means, when `default` is null. */
  readonly unset?: string;
  /** integer and decimal: the bounds (a decimal must lie above `min`). */
  readonly min?: number;
  readonly max?: number;
  /** integer and decimal: the unit the number counts. */
  readonly unit?: 'ms' | 'seconds' | 'minutes' | 'hours' | 'days' | 'bytes';
  /** integer: a word that stands for "no number" (`unlimited`, `off`), read as null. */
  readonly word?: string;
  /** integer: only powers of two are allowed. */
  readonly powerOfTwo?: boolean;
  /** enum and list: the allowed values (lower case; the value is read without regard to case). */
  readonly values?: readonly string[];
  /** secret: the fewest characters allowed. */
  readonly minLength?: number;
  /** What is allowed, for the types whose check is a parser of their own (config-values.ts). */
  readonly allowed?: string;
  /** false: the value is taken exactly as given, surrounding spaces included (a password). */
  readonly trim?: false;
  /** One line: what it does, for an operator. */
  readonly meaning: string;
}

/** `BACKUP_DIR` and its companions. */
export interface BackupConfig {
  dir: string;
  intervalMs: number;
  keep: number;
}
