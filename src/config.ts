/**
 * Every setting, read from the environment once, validated, typed and frozen. This is the
 * only module that reads `process.env`; the rest of Tandem receives slices of `Config`.
 */
import { DEFAULT_SCRYPT_N, MAX_SCRYPT_N, MIN_SCRYPT_N } from './auth/scrypt-cost.js';
import type { Config, ConnectionLimits, LoginThrottle, RegistrationThrottle, WebhookConfig } from './config-types.js';
import { parseIdentity } from './config-identity.js';
import { parseDatabaseUrl, parseHours, parseRedisUrl, parseOrigins, parsePublicOrigin, parseSafeguarding, parseTrustProxy, parseWebhookSecret, parseWebhookUrl } from './config-values.js';

export type * from './config-types.js';

const DEFAULTS = {
  HOST: '127.0.0.1',
  PORT: '8000',
  DATABASE_URL: 'sqlite:./data/tandem.db',
  DATABASE_POOL_SIZE: '10',
  REDIS_PREFIX: 'tandem:',
  COOKIE_SECURE: 'false',
  REGISTRATION: 'open',
  SESSION_TTL_SECONDS: String(14 * 24 * 3600),
  PASSWORD_SCRYPT_N: String(DEFAULT_SCRYPT_N),
  LOG_LEVEL: 'info',
  MENTOR_CAPACITY: 'unlimited',
  ARCHIVE_DAYS: '30',
  HISTORY_LIMIT_DEFAULT: '50',
  HISTORY_LIMIT_MAX: '200',
  LOGIN_FAILURES_PER_ACCOUNT: '20',
  LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '10',
  LOGIN_FAILURES_PER_ADDRESS: '50',
  LOGIN_FAILURE_WINDOW_SECONDS: '900',
  LOGIN_DELAY_MAX_SECONDS: '300',
  REGISTRATIONS_PER_ADDRESS: '10',
  TRUST_PROXY: 'false',
  WS_MAX_FRAME_BYTES: String(64 * 1024),
  WS_RATE_PER_SECOND: '30',
  WS_RATE_BURST: '60',
  WS_FLOOD_CLOSE_AFTER: '100',
  WS_MAX_BUFFERED_BYTES: String(1024 * 1024),
  WS_SLOW_CLOSE_GRACE_MS: '2000',
  WS_PING_INTERVAL_MS: '25000',
  TYPING_TIMEOUT_MS: '10000',
  WS_MAX_CONNECTIONS_PER_USER: '50',
  WS_USER_RATE_PER_SECOND: '60',
  WS_USER_RATE_BURST: '120',
  MARK_READ_RATE_PER_SECOND: '2',
  MARK_READ_RATE_BURST: '10',
  DELIVERY_CHECK_INTERVAL_MS: '1000',
  STORE_TIMEOUT_MS: '5000',
  SHUTDOWN_TIMEOUT_MS: '10000',
  HTTP_MAX_CONNECTIONS: '10000',
  HTTP_MAX_CONNECTIONS_PER_ADDRESS: '256',
  HTTP_HEADERS_TIMEOUT_MS: '10000',
  HTTP_REQUEST_TIMEOUT_MS: '30000',
  HTTP_KEEP_ALIVE_TIMEOUT_MS: '5000',
  LISTEN_BACKLOG: '4096',
  METRICS_PORT: 'off',
  WS_HANDSHAKE_FAILURES_PER_ADDRESS: '30',
  WS_HANDSHAKE_FAILURE_WINDOW_SECONDS: '60',
  WS_HANDSHAKES_PER_TURN: '16',
  WS_READS_PER_TURN: '32',
  CONVERSATION_POLICY: 'private',
  MODERATION_PHONE_COUNTRIES: 'GB,US,IN,DE',
  WEBHOOK_TIMEOUT_MS: '10000',
  WEBHOOK_RETRY_HOURS: '24',
  WEBHOOK_BACKOFF_BASE_MS: '1000',
  WEBHOOK_BACKOFF_MAX_MS: '3600000',
  WEBHOOK_POLL_INTERVAL_MS: '1000',
  UNREAD_NOTIFY_AFTER_SECONDS: '900',
} as const;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates every setting; throws one `ConfigError` listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Readonly<Config> {
  const problems: string[] = [];
  const get = (name: keyof typeof DEFAULTS): string => {
    const value = env[name];
    return value === undefined || value === '' ? DEFAULTS[name] : value;
  };
  const integer = (name: keyof typeof DEFAULTS, min: number, max: number): number => {
    const text = get(name);
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
      return Number(DEFAULTS[name]);
    }
    return value;
  };
  const boolean = (name: keyof typeof DEFAULTS): boolean => {
    const text = get(name).toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(text)) return true;
    if (['false', '0', 'no', 'off'].includes(text)) return false;
    problems.push(`${name} must be true or false, got "${text}"`);
    return false;
  };

  const port = integer('PORT', 0, 65535);
  const poolSize = integer('DATABASE_POOL_SIZE', 1, 1000);
  const database = parseDatabaseUrl(get('DATABASE_URL'), poolSize, problems);
  const layer = parseRedisUrl(env.REDIS_URL, get('REDIS_PREFIX'), problems);

  const adminEmail = env.TANDEM_ADMIN_EMAIL?.trim();
  const adminPassword = env.TANDEM_ADMIN_PASSWORD;
  let admin: Config['admin'] = null;
  if (adminEmail || adminPassword) {
    if (!adminEmail || !adminPassword) {
      problems.push('TANDEM_ADMIN_EMAIL and TANDEM_ADMIN_PASSWORD must be set together');
    } else {
      admin = { email: adminEmail.toLowerCase(), password: adminPassword };
    }
  }

  const allowedOrigins = parseOrigins(env.ALLOWED_ORIGINS, problems);

  const registration = get('REGISTRATION').toLowerCase();
  if (registration !== 'open' && registration !== 'closed') {
    problems.push(`REGISTRATION must be "open" or "closed", got "${registration}"`);
  }

  const logLevel = get('LOG_LEVEL') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }

  const capacityText = get('MENTOR_CAPACITY').toLowerCase();
  let mentorCapacity: number | null = null;
  if (capacityText !== 'unlimited') {
    mentorCapacity = Number(capacityText);
    if (!/^\d{1,7}$/.test(capacityText) || mentorCapacity < 1) {
      problems.push(`MENTOR_CAPACITY must be "unlimited" or an integer from 1 to 9999999, got "${capacityText}"`);
      mentorCapacity = null;
    }
  }
  const history = { defaultLimit: integer('HISTORY_LIMIT_DEFAULT', 1, 10_000), maxLimit: integer('HISTORY_LIMIT_MAX', 1, 10_000) };
  if (history.defaultLimit > history.maxLimit) {
    problems.push(`HISTORY_LIMIT_DEFAULT (${history.defaultLimit}) must not exceed HISTORY_LIMIT_MAX (${history.maxLimit})`);
  }
  const loginThrottle: LoginThrottle = {
    perAccount: integer('LOGIN_FAILURES_PER_ACCOUNT', 1, 1_000_000),
    perAccountAddress: integer('LOGIN_FAILURES_PER_ACCOUNT_ADDRESS', 1, 1_000_000),
    perAddress: integer('LOGIN_FAILURES_PER_ADDRESS', 1, 1_000_000),
    windowSeconds: integer('LOGIN_FAILURE_WINDOW_SECONDS', 1, 7 * 24 * 3600),
    maxDelaySeconds: integer('LOGIN_DELAY_MAX_SECONDS', 1, 24 * 3600),
  };
  if (loginThrottle.maxDelaySeconds > loginThrottle.windowSeconds) {
    problems.push(`LOGIN_DELAY_MAX_SECONDS (${loginThrottle.maxDelaySeconds}) must not exceed LOGIN_FAILURE_WINDOW_SECONDS (${loginThrottle.windowSeconds})`);
  }
  const registrationThrottle: RegistrationThrottle = {
    perAddress: integer('REGISTRATIONS_PER_ADDRESS', 1, 1_000_000),
    windowSeconds: loginThrottle.windowSeconds,
  };
  const trustProxy = parseTrustProxy(get('TRUST_PROXY'), problems);
  const publicOrigin = parsePublicOrigin(env.PUBLIC_ORIGIN, problems);
  const connections: ConnectionLimits = {
    maxTotal: integer('HTTP_MAX_CONNECTIONS', 1, 1_000_000),
    maxPerAddress: integer('HTTP_MAX_CONNECTIONS_PER_ADDRESS', 1, 1_000_000),
    headersTimeoutMs: integer('HTTP_HEADERS_TIMEOUT_MS', 100, 600_000),
    requestTimeoutMs: integer('HTTP_REQUEST_TIMEOUT_MS', 100, 3_600_000),
    keepAliveTimeoutMs: integer('HTTP_KEEP_ALIVE_TIMEOUT_MS', 100, 600_000),
    listenBacklog: integer('LISTEN_BACKLOG', 1, 1_000_000),
  };
  if (connections.headersTimeoutMs > connections.requestTimeoutMs) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS (${connections.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${connections.requestTimeoutMs})`);
  }
  const metricsToken = env.METRICS_TOKEN === undefined || env.METRICS_TOKEN === '' ? null : env.METRICS_TOKEN;
  if (metricsToken !== null && metricsToken.length < 16) problems.push('METRICS_TOKEN must have at least 16 characters');
  const metrics = {
    port: get('METRICS_PORT').toLowerCase() === 'off' ? null : integer('METRICS_PORT', 0, 65535),
    host: env.METRICS_HOST || get('HOST'),
    token: metricsToken,
  };
  const handshakeThrottle = {
    failuresPerAddress: integer('WS_HANDSHAKE_FAILURES_PER_ADDRESS', 1, 1_000_000),
    windowSeconds: integer('WS_HANDSHAKE_FAILURE_WINDOW_SECONDS', 1, 24 * 3600),
  };

  const webhookUrl = parseWebhookUrl(env.WEBHOOK_URL, problems);
  let webhooks: WebhookConfig | null = null;
  if (webhookUrl !== null) {
    webhooks = {
      url: webhookUrl,
      secret: parseWebhookSecret(env.WEBHOOK_SECRET, problems),
      timeoutMs: integer('WEBHOOK_TIMEOUT_MS', 100, 600_000),
      retryMs: Math.round(parseHours('WEBHOOK_RETRY_HOURS', get('WEBHOOK_RETRY_HOURS'), problems) * 3_600_000),
      backoffBaseMs: integer('WEBHOOK_BACKOFF_BASE_MS', 1, 3_600_000),
      backoffMaxMs: integer('WEBHOOK_BACKOFF_MAX_MS', 1, 24 * 3_600_000),
      pollIntervalMs: integer('WEBHOOK_POLL_INTERVAL_MS', 10, 600_000),
      unreadAfterMs: integer('UNREAD_NOTIFY_AFTER_SECONDS', 1, 7 * 24 * 3600) * 1000,
    };
    if (webhooks.backoffBaseMs > webhooks.backoffMaxMs) {
      problems.push(`WEBHOOK_BACKOFF_BASE_MS (${webhooks.backoffBaseMs}) must not exceed WEBHOOK_BACKOFF_MAX_MS (${webhooks.backoffMaxMs})`);
    }
  } else if (env.WEBHOOK_SECRET) {
    problems.push('WEBHOOK_SECRET is set but WEBHOOK_URL is not: set both to send webhooks');
  }

  const config: Config = {
    host: get('HOST'),
    port,
    database,
    layer,
    admin,
    allowedOrigins,
    cookieSecure: boolean('COOKIE_SECURE'),
    registrationOpen: registration !== 'closed',
    sessionTtlSeconds: integer('SESSION_TTL_SECONDS', 60, 10 * 365 * 24 * 3600),
    passwordScryptN: scryptCost(get('PASSWORD_SCRYPT_N'), problems),
    chat: {
      maxFrameBytes: integer('WS_MAX_FRAME_BYTES', 1024, 16 * 1024 * 1024),
      ratePerSecond: integer('WS_RATE_PER_SECOND', 1, 1_000_000),
      rateBurst: integer('WS_RATE_BURST', 1, 1_000_000),
      floodCloseAfter: integer('WS_FLOOD_CLOSE_AFTER', 1, 1_000_000),
      maxBufferedBytes: integer('WS_MAX_BUFFERED_BYTES', 64 * 1024, 1024 * 1024 * 1024),
      slowCloseGraceMs: integer('WS_SLOW_CLOSE_GRACE_MS', 0, 3_600_000),
      pingIntervalMs: integer('WS_PING_INTERVAL_MS', 100, 3_600_000),
      typingTimeoutMs: integer('TYPING_TIMEOUT_MS', 100, 600_000),
      maxConnectionsPerUser: integer('WS_MAX_CONNECTIONS_PER_USER', 1, 1_000_000),
      userRatePerSecond: integer('WS_USER_RATE_PER_SECOND', 1, 1_000_000),
      userRateBurst: integer('WS_USER_RATE_BURST', 1, 1_000_000),
      markReadRatePerSecond: integer('MARK_READ_RATE_PER_SECOND', 1, 1_000_000),
      markReadRateBurst: integer('MARK_READ_RATE_BURST', 1, 1_000_000),
      handshakesPerTurn: integer('WS_HANDSHAKES_PER_TURN', 1, 100_000),
      readsPerTurn: integer('WS_READS_PER_TURN', 1, 1_000_000),
    },
    mentorCapacity,
    archiveDays: integer('ARCHIVE_DAYS', 0, 36_500),
    history,
    loginThrottle,
    registrationThrottle,
    trustProxy,
    deliveryCheckIntervalMs: integer('DELIVERY_CHECK_INTERVAL_MS', 0, 3_600_000),
    logLevel,
    storeTimeoutMs: integer('STORE_TIMEOUT_MS', 100, 600_000),
    shutdownTimeoutMs: integer('SHUTDOWN_TIMEOUT_MS', 100, 3_600_000),
    publicOrigin,
    connections,
    metrics,
    handshakeThrottle,
    identity: parseIdentity(env, problems),
    safeguarding: parseSafeguarding(get('CONVERSATION_POLICY'), env.MODERATION_WORDS_FILE, get('MODERATION_PHONE_COUNTRIES'), env.RETENTION_DAYS, problems),
    webhooks,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** PASSWORD_SCRYPT_N: a power of two within the bounds scrypt is safe and affordable at. */
function scryptCost(text: string, problems: string[]): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < MIN_SCRYPT_N || value > MAX_SCRYPT_N || (value & (value - 1)) !== 0) {
    problems.push(`PASSWORD_SCRYPT_N must be a power of two from ${MIN_SCRYPT_N} to ${MAX_SCRYPT_N}, got "${text}"`);
    return DEFAULT_SCRYPT_N;
  }
  return value;
}
