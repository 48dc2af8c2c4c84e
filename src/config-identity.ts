/**
 * The identity settings of PROTOCOL.md Part 5: which methods authenticate (`AUTH`), the keys
 * and checks of `jwt`, the platform endpoint of `proxy`, and the server API's `API_KEYS`.
 * Each parser pushes readable problems and returns a usable value, like config-values.ts.
 */
import { createPublicKey } from 'node:crypto';
import type { ApiKey, IdentityConfig, IdentityMethodName, JwtConfig, ProxyConfig } from './config-types.js';

const METHODS: readonly IdentityMethodName[] = ['local', 'jwt', 'proxy'];
const API_KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Short secrets can be guessed; 16 characters of a random string is the floor. */
const MIN_SECRET_LENGTH = 16;

type Env = Record<string, string | undefined>;
const read = (env: Env, name: string): string | null => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? null : value;
};

/** Everything `AUTH`, `JWT_*`, `AUTH_PROXY_*` and `API_KEYS` say. */
export function parseIdentity(env: Env, problems: string[]): IdentityConfig {
  const methods = parseMethods(read(env, 'AUTH') ?? 'local', problems);
  return {
    methods,
    jwt: methods.includes('jwt') ? parseJwt(env, problems) : null,
    proxy: methods.includes('proxy') ? parseProxy(env, problems) : null,
    apiKeys: parseApiKeys(env.API_KEYS, problems),
  };
}

function parseMethods(text: string, problems: string[]): IdentityMethodName[] {
  const names = text.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((name) => !METHODS.includes(name as IdentityMethodName));
  if (names.length === 0 || unknown.length > 0) {
    problems.push(`AUTH must be a comma-separated list of local, jwt, proxy, got "${text}"`);
    return ['local'];
  }
  return [...new Set(names)] as IdentityMethodName[];
}

function boundedInteger(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const text = read(env, name);
  if (text === null) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${text}"`);
    return fallback;
  }
  return value;
}

function parseJwt(env: Env, problems: string[]): JwtConfig {
  const secret = read(env, 'JWT_SECRET');
  const publicKey = read(env, 'JWT_PUBLIC_KEY');
  const jwksUrl = read(env, 'JWT_JWKS_URL');
  const given = [secret, publicKey, jwksUrl].filter((value) => value !== null).length;
  if (given !== 1) problems.push('AUTH=jwt needs exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL');
  if (secret !== null && secret.length < 32) problems.push('JWT_SECRET must have at least 32 characters (HS256 needs a 256-bit secret)');
  if (publicKey !== null && !isPublicKey(publicKey.replace(/\\n/g, '\n'))) problems.push('JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----) of RSA, EC or Ed25519');
  if (jwksUrl !== null && !isHttpUrl(jwksUrl)) problems.push(`JWT_JWKS_URL must be an http(s) URL, got "${jwksUrl}"`);
  const key: JwtConfig['key'] =
    secret !== null ? { kind: 'secret', secret } : publicKey !== null ? { kind: 'pem', pem: publicKey.replace(/\\n/g, '\n') } : { kind: 'jwks', url: jwksUrl ?? '' };
  return {
    key,
    issuer: read(env, 'JWT_ISSUER'),
    audience: read(env, 'JWT_AUDIENCE'),
    maxLifetimeSeconds: boundedInteger(env, 'JWT_MAX_LIFETIME_SECONDS', 86_400, 1, 366 * 86_400, problems),
    jwksRefreshSeconds: boundedInteger(env, 'JWT_JWKS_REFRESH_SECONDS', 30, 1, 86_400, problems),
  };
}

function parseProxy(env: Env, problems: string[]): ProxyConfig {
  const url = read(env, 'AUTH_PROXY_URL');
  if (url === null) problems.push('AUTH=proxy needs AUTH_PROXY_URL');
  else if (!isHttpUrl(url)) problems.push(`AUTH_PROXY_URL must be an http(s) URL, got "${url}"`);
  return {
    url: url ?? '',
    cacheSeconds: boundedInteger(env, 'AUTH_PROXY_CACHE_SECONDS', 30, 0, 86_400, problems),
    timeoutMs: boundedInteger(env, 'AUTH_PROXY_TIMEOUT_MS', 2000, 50, 60_000, problems),
  };
}

/** `API_KEYS`: `name:secret` pairs; the problems never quote a secret. */
function parseApiKeys(value: string | undefined, problems: string[]): ApiKey[] {
  if (value === undefined || value.trim() === '') return [];
  const keys: ApiKey[] = [];
  for (const [index, entry] of value.split(',').map((item) => item.trim()).entries()) {
    const colon = entry.indexOf(':');
    const name = colon < 0 ? entry : entry.slice(0, colon);
    const secret = colon < 0 ? '' : entry.slice(colon + 1);
    if (!API_KEY_NAME.test(name)) problems.push(`API_KEYS entry ${index + 1} must be name:secret with a name of letters, digits, "_", "-" or "."`);
    else if (secret.length < MIN_SECRET_LENGTH) problems.push(`API_KEYS entry "${name}" needs a secret of at least ${MIN_SECRET_LENGTH} characters`);
    else if (keys.some((key) => key.name === name)) problems.push(`API_KEYS names "${name}" twice`);
    else if (keys.some((key) => key.secret === secret)) problems.push(`API_KEYS entry "${name}" reuses another key's secret`);
    else keys.push({ name, secret });
  }
  return keys;
}

/** A PEM public key of a type the `jwt` method can verify with. */
function isPublicKey(pem: string): boolean {
  if (!pem.includes('-----BEGIN PUBLIC KEY-----')) return false;
  try {
    return ['rsa', 'rsa-pss', 'ec', 'ed25519'].includes(createPublicKey(pem).asymmetricKeyType ?? '');
  } catch {
    return false;
  }
}

function isHttpUrl(text: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
