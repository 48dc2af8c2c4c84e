/**
 * Every setting, read from the environment once, validated, typed and frozen. This is the
 * only module that reads `process.env`; the rest of Tandem receives slices of `Config`.
 */

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
  sessionTtlSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

const DEFAULTS = {
  HOST: '127.0.0.1',
  PORT: '8000',
  DATABASE_URL: 'sqlite:./data/tandem.db',
  DATABASE_POOL_SIZE: '10',
  REDIS_PREFIX: 'tandem:',
  COOKIE_SECURE: 'false',
  REGISTRATION: 'open',
  SESSION_TTL_SECONDS: String(14 * 24 * 3600),
  LOG_LEVEL: 'info',
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
    } else if (adminPassword.length < 8) {
      problems.push('TANDEM_ADMIN_PASSWORD must have at least 8 characters');
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
    logLevel,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

function parseDatabaseUrl(url: string, poolSize: number, problems: string[]): DatabaseConfig {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') problems.push('DATABASE_URL "sqlite:" needs a path, e.g. sqlite:./data/tandem.db');
    return { kind: 'sqlite', path };
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    return { kind: 'postgres', url, poolSize };
  }
  problems.push(`DATABASE_URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:…"`);
  return { kind: 'sqlite', path: '' };
}

function parseRedisUrl(url: string | undefined, prefix: string, problems: string[]): LayerConfig {
  if (url === undefined || url === '') return { kind: 'memory' };
  if (!url.startsWith('redis://') && !url.startsWith('rediss://')) {
    problems.push('REDIS_URL must start with redis:// or rediss://');
  }
  return { kind: 'redis', url, prefix };
}

function parseOrigins(value: string | undefined, problems: string[]): string[] | null {
  if (value === undefined || value.trim() === '') return null;
  const origins = value.split(',').map((item) => item.trim()).filter(Boolean);
  for (const origin of origins) {
    try {
      const parsed = new URL(origin);
      if (parsed.origin !== origin) problems.push(`ALLOWED_ORIGINS entry "${origin}" must be a bare origin like ${parsed.origin}`);
    } catch {
      problems.push(`ALLOWED_ORIGINS entry "${origin}" is not a URL origin`);
    }
  }
  return origins;
}
