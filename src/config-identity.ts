/**
 * The identity settings of PROTOCOL.md Part 5: which methods authenticate (`AUTH`), the keys
 * and checks of `jwt`, the platform endpoint of `proxy`, and the server API's `API_KEYS`.
 * Each parser pushes readable problems and returns a usable value, like config-values.ts.
 */
import { createPublicKey } from 'node:crypto';
import type { SettingsReader } from './config-read.js';
import type { ApiKey, IdentityConfig, IdentityMethodName, JwtConfig, ProxyConfig } from './config-types.js';

const API_KEY_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Short secrets can be guessed; 16 characters of a random string is the floor. */
const MIN_SECRET_LENGTH = 16;

/** Everything `AUTH`, `JWT_*`, `AUTH_PROXY_*` and `API_KEYS` say. */
export function parseIdentity(read: SettingsReader): IdentityConfig {
  const methods = read.choices<IdentityMethodName>('AUTH');
  return {
    methods,
    jwt: methods.includes('jwt') ? parseJwt(read) : null,
    proxy: methods.includes('proxy') ? parseProxy(read) : null,
    apiKeys: parseApiKeys(read.text('API_KEYS'), read.problems),
  };
}

function parseJwt(read: SettingsReader): JwtConfig {
  const secret = read.secret('JWT_SECRET');
  const publicKey = read.text('JWT_PUBLIC_KEY');
  const jwksUrl = read.url('JWT_JWKS_URL');
  const given = [secret, publicKey, jwksUrl].filter((value) => value !== null).length;
  if (given !== 1) read.problems.push('AUTH=jwt needs exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL');
  if (publicKey !== null && !isPublicKey(publicKey.replace(/\\n/g, '\n')))
    read.problems.push('JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----) of RSA, EC or Ed25519');
  const key: JwtConfig['key'] =
    secret !== null
      ? { kind: 'secret', secret }
      : publicKey !== null
        ? { kind: 'pem', pem: publicKey.replace(/\\n/g, '\n') }
        : { kind: 'jwks', url: jwksUrl ?? '' };
  return {
    key,
    issuer: read.text('JWT_ISSUER'),
    audience: read.text('JWT_AUDIENCE'),
    maxLifetimeSeconds: read.integer('JWT_MAX_LIFETIME_SECONDS'),
    jwksRefreshSeconds: read.integer('JWT_JWKS_REFRESH_SECONDS'),
  };
}

function parseProxy(read: SettingsReader): ProxyConfig {
  const url = read.url('AUTH_PROXY_URL');
  if (url === null) read.problems.push('AUTH=proxy needs AUTH_PROXY_URL');
  return {
    url: url ?? '',
    cacheSeconds: read.integer('AUTH_PROXY_CACHE_SECONDS'),
    timeoutMs: read.integer('AUTH_PROXY_TIMEOUT_MS'),
  };
}

/** `API_KEYS`: `name:secret` pairs; the problems never quote a secret. */
function parseApiKeys(value: string | null, problems: string[]): ApiKey[] {
  if (value === null) return [];
  const keys: ApiKey[] = [];
  for (const [index, entry] of value
    .split(',')
    .map((item) => item.trim())
    .entries()) {
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
