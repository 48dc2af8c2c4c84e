/** The identity settings (PROTOCOL.md Part 5): AUTH, JWT_*, AUTH_PROXY_*, API_KEYS — defaults, reading, and every problem. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { generateKeyPairSync } from 'node:crypto';
import { ConfigError, loadConfig } from '../src/config.js';

const SECRET = 'x'.repeat(32);

it('defaults to local sign-in only, with no API keys', () => {
  assert.deepEqual(loadConfig({}).identity, { methods: ['local'], jwt: null, proxy: null, apiKeys: [] });
});

it('reads AUTH, the jwt and proxy settings, and API_KEYS', () => {
  const identity = loadConfig({
    AUTH: 'jwt, Proxy,local',
    JWT_SECRET: SECRET,
    JWT_ISSUER: 'https://platform.test',
    JWT_AUDIENCE: 'tandem',
    JWT_MAX_LIFETIME_SECONDS: '3600',
    JWT_JWKS_REFRESH_SECONDS: '5',
    AUTH_PROXY_URL: 'https://platform.test/api/whoami',
    AUTH_PROXY_CACHE_SECONDS: '0',
    AUTH_PROXY_TIMEOUT_MS: '500',
    API_KEYS: 'matching:0123456789abcdef, import.job:fedcba9876543210',
  }).identity;
  assert.deepEqual(identity, {
    methods: ['jwt', 'proxy', 'local'],
    jwt: { key: { kind: 'secret', secret: SECRET }, issuer: 'https://platform.test', audience: 'tandem', maxLifetimeSeconds: 3600, jwksRefreshSeconds: 5 },
    proxy: { url: 'https://platform.test/api/whoami', cacheSeconds: 0, timeoutMs: 500 },
    apiKeys: [
      { name: 'matching', secret: '0123456789abcdef' },
      { name: 'import.job', secret: 'fedcba9876543210' },
    ],
  });
  const defaults = loadConfig({ AUTH: 'jwt,proxy', JWT_JWKS_URL: 'https://platform.test/jwks', AUTH_PROXY_URL: 'http://platform:8000/whoami' }).identity;
  assert.deepEqual(
    [defaults.jwt, defaults.proxy],
    [
      { key: { kind: 'jwks', url: 'https://platform.test/jwks' }, issuer: null, audience: null, maxLifetimeSeconds: 86400, jwksRefreshSeconds: 30 },
      { url: 'http://platform:8000/whoami', cacheSeconds: 30, timeoutMs: 2000 },
    ],
  );
  const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const oneLine = pem.trim().replace(/\n/g, '\\n');
  assert.deepEqual(
    loadConfig({ AUTH: 'jwt', JWT_PUBLIC_KEY: oneLine }).identity.jwt?.key,
    { kind: 'pem', pem: pem.trim() },
    'escaped line breaks of a one-line env value',
  );
});

it('lists every problem of the identity settings, never quoting a secret', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ AUTH: 'ldap' }, /AUTH must be a comma-separated list of local, jwt, proxy/],
    [{ AUTH: ',' }, /AUTH must be/],
    [{ AUTH: 'jwt' }, /exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL/],
    [{ AUTH: 'jwt', JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://platform.test/jwks' }, /exactly one of/],
    [{ AUTH: 'jwt', JWT_SECRET: 'short' }, /JWT_SECRET must have at least 32 characters/],
    [{ AUTH: 'jwt', JWT_PUBLIC_KEY: 'not a key' }, /JWT_PUBLIC_KEY must be a PEM public key/],
    [{ AUTH: 'jwt', JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----' }, /JWT_PUBLIC_KEY must be a PEM public key/],
    [{ AUTH: 'jwt', JWT_PUBLIC_KEY: generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }).toString() }, /of RSA, EC or Ed25519/],
    [{ AUTH: 'jwt', JWT_JWKS_URL: 'ftp://platform.test/jwks' }, /JWT_JWKS_URL must be an http\(s\) URL/],
    [{ AUTH: 'jwt', JWT_SECRET: SECRET, JWT_MAX_LIFETIME_SECONDS: '0' }, /JWT_MAX_LIFETIME_SECONDS must be an integer from 1/],
    [{ AUTH: 'jwt', JWT_SECRET: SECRET, JWT_JWKS_REFRESH_SECONDS: 'soon' }, /JWT_JWKS_REFRESH_SECONDS must be an integer/],
    // 0 would let every token with an unknown kid make Tandem fetch the platform's keys.
    [{ AUTH: 'jwt', JWT_JWKS_URL: 'https://platform.test/jwks', JWT_JWKS_REFRESH_SECONDS: '0' }, /JWT_JWKS_REFRESH_SECONDS must be an integer from 1 to 86400/],
    [{ AUTH: 'proxy' }, /AUTH=proxy needs AUTH_PROXY_URL/],
    [{ AUTH: 'proxy', AUTH_PROXY_URL: 'platform/whoami' }, /AUTH_PROXY_URL must be an http\(s\) URL/],
    [{ AUTH: 'proxy', AUTH_PROXY_URL: 'http://p/w', AUTH_PROXY_TIMEOUT_MS: '10' }, /AUTH_PROXY_TIMEOUT_MS must be an integer from 50 to 60000/],
    [{ AUTH: 'proxy', AUTH_PROXY_URL: 'http://p/w', AUTH_PROXY_CACHE_SECONDS: '-1' }, /AUTH_PROXY_CACHE_SECONDS must be an integer/],
    [{ API_KEYS: 'matching' }, /API_KEYS entry "matching" needs a secret of at least 16 characters/],
    [{ API_KEYS: 'matching:short-secret' }, /API_KEYS entry "matching" needs a secret of at least 16 characters/],
    [{ API_KEYS: 'bad name:0123456789abcdef' }, /API_KEYS entry 1 must be name:secret/],
    [{ API_KEYS: 'a:0123456789abcdef,a:fedcba9876543210' }, /API_KEYS names "a" twice/],
    [{ API_KEYS: 'a:0123456789abcdef,b:0123456789abcdef' }, /API_KEYS entry "b" reuses another key's secret/],
  ];
  for (const [env, problem] of cases) {
    assert.throws(
      () => loadConfig(env),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, problem, JSON.stringify(env));
        assert.ok(!error.message.includes('short-secret') && !error.message.includes('0123456789abcdef'), 'no secret in the message');
        return true;
      },
    );
  }
  assert.throws(
    () => loadConfig({ AUTH: 'jwt,proxy', API_KEYS: 'x' }),
    (error: unknown) => error instanceof ConfigError && error.problems.length === 3,
  );
});
