/**
 * Every setting, read from the environment once, validated, typed and frozen. This is the
 * only module that reads `process.env`, and it reads it through the settings table
 * (config-table.ts), which gives each variable its default, range and meaning; the rest of
 * Tandem receives slices of `Config`.
 */
import type { Config, ConnectionLimits, ConversationPolicy, LoginThrottle, RegistrationThrottle, WebhookConfig } from './config-types.js';
import { parseBackups } from './config-backups.js';
import { parseIdentity } from './config-identity.js';
import { SettingsReader } from './config-read.js';
import {
  parseDatabaseUrl,
  parseRedisUrl,
  parseOrigins,
  parsePublicOrigin,
  parseReactions,
  parseSafeguarding,
  parseSafeguardingContact,
  parseTrustProxy,
  parseWebhookSecret,
} from './config-values.js';

export type * from './config-types.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every setting; throws one `ConfigError` listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const problems: string[] = [];
  const read = new SettingsReader(env, problems);
  const integer = read.integer.bind(read);
  read.refuseRetired();

  const host = read.text('HOST')!;
  const port = integer('PORT');
  const poolSize = integer('DATABASE_POOL_SIZE');
  const database = parseDatabaseUrl(read.text('DATABASE_URL')!, poolSize, problems);
  const layer = parseRedisUrl(read.text('REDIS_URL'), read.text('REDIS_PREFIX')!, problems);

  const adminEmail = read.text('TANDEM_ADMIN_EMAIL');
  const adminPassword = read.secret('TANDEM_ADMIN_PASSWORD');
  let admin: Config['admin'] = null;
  if (adminEmail !== null || adminPassword !== null) {
    if (adminEmail === null || adminPassword === null) {
      problems.push('TANDEM_ADMIN_EMAIL and TANDEM_ADMIN_PASSWORD must be set together');
    } else {
      admin = { email: adminEmail.toLowerCase(), password: adminPassword };
    }
  }

  const allowedOrigins = parseOrigins(read.text('ALLOWED_ORIGINS'), problems);
  const registration = read.choice('REGISTRATION');
  const logLevel = read.choice<Config['logLevel']>('LOG_LEVEL');
  const logFormat = read.choice<Config['logFormat']>('LOG_FORMAT');
  const mentorCapacity = read.integerOrNull('MENTOR_CAPACITY');
  const history = { defaultLimit: integer('HISTORY_LIMIT_DEFAULT'), maxLimit: integer('HISTORY_LIMIT_MAX') };
  if (history.defaultLimit > history.maxLimit) {
    problems.push(`HISTORY_LIMIT_DEFAULT (${history.defaultLimit}) must not exceed HISTORY_LIMIT_MAX (${history.maxLimit})`);
  }
  const loginThrottle: LoginThrottle = {
    perAccount: integer('LOGIN_FAILURES_PER_ACCOUNT'),
    perAccountAddress: integer('LOGIN_FAILURES_PER_ACCOUNT_ADDRESS'),
    perAddress: integer('LOGIN_FAILURES_PER_ADDRESS'),
    windowSeconds: integer('LOGIN_FAILURE_WINDOW_SECONDS'),
    maxDelaySeconds: integer('LOGIN_DELAY_MAX_SECONDS'),
  };
  if (loginThrottle.maxDelaySeconds > loginThrottle.windowSeconds) {
    problems.push(`LOGIN_DELAY_MAX_SECONDS (${loginThrottle.maxDelaySeconds}) must not exceed LOGIN_FAILURE_WINDOW_SECONDS (${loginThrottle.windowSeconds})`);
  }
  const registrationThrottle: RegistrationThrottle = {
    perAddress: integer('REGISTRATIONS_PER_ADDRESS'),
    windowSeconds: loginThrottle.windowSeconds,
  };
  const trustProxy = parseTrustProxy(read.text('TRUST_PROXY')!, problems);
  const publicOrigin = parsePublicOrigin(read.text('PUBLIC_ORIGIN'), problems);
  const connections: ConnectionLimits = {
    maxTotal: integer('HTTP_MAX_CONNECTIONS'),
    maxPerAddress: integer('HTTP_MAX_CONNECTIONS_PER_ADDRESS'),
    headersTimeoutMs: integer('HTTP_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: integer('HTTP_REQUEST_TIMEOUT_MS'),
    keepAliveTimeoutMs: integer('HTTP_KEEP_ALIVE_TIMEOUT_MS'),
    listenBacklog: integer('LISTEN_BACKLOG'),
  };
  if (connections.headersTimeoutMs > connections.requestTimeoutMs) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (${connections.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${connections.requestTimeoutMs})`);
  }
  const metrics = { port: read.integerOrNull('METRICS_PORT'), host: read.text('METRICS_HOST') ?? host, token: read.secret('METRICS_TOKEN') };
  const handshakeThrottle = { failuresPerAddress: integer('WS_HANDSHAKE_FAILURES_PER_ADDRESS') };

  const webhookUrl = read.url('WEBHOOK_URL');
  let webhooks: WebhookConfig | null = null;
  if (webhookUrl !== null) {
    webhooks = {
      url: webhookUrl,
      secret: parseWebhookSecret(read.secret('WEBHOOK_SECRET'), problems),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS'),
      retryMs: Math.round(read.decimal('WEBHOOK_RETRY_HOURS') * 3_600_000),
      backoffBaseMs: integer('WEBHOOK_BACKOFF_BASE_MS'),
      backoffMaxMs: integer('WEBHOOK_BACKOFF_MAX_MS'),
      pollIntervalMs: integer('WEBHOOK_POLL_INTERVAL_MS'),
      unreadAfterMs: integer('UNREAD_NOTIFY_AFTER_SECONDS') * 1000,
    };
    if (webhooks.backoffBaseMs > webhooks.backoffMaxMs) {
      problems.push(`WEBHOOK_BACKOFF_BASE_MS (${webhooks.backoffBaseMs}) must not exceed WEBHOOK_BACKOFF_MAX_MS (${webhooks.backoffMaxMs})`);
    }
  } else if (read.isSet('WEBHOOK_SECRET')) {
    problems.push('WEBHOOK_SECRET is set but WEBHOOK_URL is not: set both to send webhooks');
  }

  const config: Config = {
    host,
    port,
    database,
    layer,
    admin,
    allowedOrigins,
    cookieSecure: read.boolean('COOKIE_SECURE'),
    registrationOpen: registration !== 'closed',
    selfRegistrationRoles: read.choices<'mentor' | 'mentee'>('SELF_REGISTRATION_ROLES').map((role) => (role === 'mentor' ? 'MENTOR' : 'MENTEE')),
    sessionTtlSeconds: integer('SESSION_TTL_SECONDS'),
    passwordResetTtlMinutes: integer('PASSWORD_RESET_TTL_MINUTES'),
    passwordScryptN: integer('PASSWORD_SCRYPT_N'),
    chat: {
      maxFrameBytes: integer('WS_MAX_FRAME_BYTES'),
      ratePerSecond: integer('WS_RATE_PER_SECOND'),
      rateBurst: integer('WS_RATE_BURST'),
      floodCloseAfter: integer('WS_FLOOD_CLOSE_AFTER'),
      maxBufferedBytes: integer('WS_MAX_BUFFERED_BYTES'),
      slowCloseGraceMs: integer('WS_SLOW_CLOSE_GRACE_MS'),
      pingIntervalMs: integer('WS_PING_INTERVAL_MS'),
      typingTimeoutMs: integer('TYPING_TIMEOUT_MS'),
      maxConnectionsPerUser: integer('WS_MAX_CONNECTIONS_PER_USER'),
      userRatePerSecond: integer('WS_USER_RATE_PER_SECOND'),
      userRateBurst: integer('WS_USER_RATE_BURST'),
      markReadRatePerSecond: integer('MARK_READ_RATE_PER_SECOND'),
      markReadRateBurst: integer('MARK_READ_RATE_BURST'),
      readsPerTurn: integer('WS_READS_PER_TURN'),
    },
    mentorCapacity,
    archiveDays: integer('ARCHIVE_DAYS'),
    history,
    attachments: { maxBytes: integer('ATTACHMENT_MAX_BYTES'), dailyBytes: integer('ATTACHMENT_DAILY_BYTES'), types: read.choices<string>('ATTACHMENT_TYPES') },
    loginThrottle,
    registrationThrottle,
    trustProxy,
    deliveryCheckIntervalMs: integer('DELIVERY_CHECK_INTERVAL_MS'),
    logLevel,
    logFormat,
    storeTimeoutMs: integer('STORE_TIMEOUT_MS'),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS'),
    publicOrigin,
    connections,
    metrics,
    handshakeThrottle,
    identity: parseIdentity(read),
    safeguarding: parseSafeguarding(
      read.choice<ConversationPolicy>('CONVERSATION_POLICY'),
      read.text('MODERATION_WORDS_FILE'),
      read.text('MODERATION_PHONE_COUNTRIES')!,
      read.integerOrNull('RETENTION_DAYS'),
      problems,
    ),
    programme: {
      silentDays: integer('AT_RISK_SILENT_DAYS'),
      unansweredHours: integer('AT_RISK_UNANSWERED_HOURS'),
      checkIntervalMs: integer('AT_RISK_CHECK_MINUTES') * 60_000,
      safeguardingContact: parseSafeguardingContact(read.text('SAFEGUARDING_CONTACT'), problems),
    },
    webhooks,
    conversation: {
      editWindowSeconds: integer('EDIT_WINDOW_SECONDS'),
      deletedRetentionDays: integer('DELETED_RETENTION_DAYS'),
      reactions: parseReactions(read.text('REACTIONS')!, problems),
    },
    ...parseBackups(read, database, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
