/** Settings: defaults, parsing, and one error listing every problem. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';

describe('loadConfig', () => {
  it('defaults to the embedded single-process server on 127.0.0.1:8000', () => {
    const config = loadConfig({});
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.port, 8000);
    assert.deepEqual(config.database, { kind: 'sqlite', path: './data/tandem.db' });
    assert.deepEqual(config.layer, { kind: 'memory' });
    assert.equal(config.admin, null);
    assert.equal(config.allowedOrigins, null);
    assert.equal(config.cookieSecure, false);
    assert.equal(config.registrationOpen, true);
    assert.ok(Object.isFrozen(config));
  });

  it('reads every setting', () => {
    const config = loadConfig({
      HOST: '0.0.0.0',
      PORT: '9000',
      DATABASE_URL: 'postgres://u@db:5432/tandem',
      DATABASE_POOL_SIZE: '20',
      REDIS_URL: 'redis://cache:6379',
      TANDEM_ADMIN_EMAIL: 'Root@Example.com',
      TANDEM_ADMIN_PASSWORD: 'long-password',
      ALLOWED_ORIGINS: 'https://app.example.com, http://localhost:3000',
      COOKIE_SECURE: 'true',
      REGISTRATION: 'closed',
    });
    assert.equal(config.port, 9000);
    assert.deepEqual(config.database, { kind: 'postgres', url: 'postgres://u@db:5432/tandem', poolSize: 20 });
    assert.deepEqual(config.layer, { kind: 'redis', url: 'redis://cache:6379', prefix: 'tandem:' });
    assert.deepEqual(config.admin, { email: 'root@example.com', password: 'long-password' });
    assert.deepEqual(config.allowedOrigins, ['https://app.example.com', 'http://localhost:3000']);
    assert.equal(config.cookieSecure, true);
    assert.equal(config.registrationOpen, false);
  });

  it('defaults the API settings: no mentor capacity, history pages of 50 up to 200, login throttle, no proxy', () => {
    const config = loadConfig({});
    assert.equal(config.mentorCapacity, null);
    assert.deepEqual(config.history, { defaultLimit: 50, maxLimit: 200 });
    assert.deepEqual(config.loginThrottle, { perAccount: 20, perAccountAddress: 10, perAddress: 50, windowSeconds: 900, maxDelaySeconds: 300 });
    assert.deepEqual(config.registrationThrottle, { perAddress: 10, windowSeconds: 900 });
    assert.equal(config.trustProxy, false);
  });

  it('reads the API settings', () => {
    const config = loadConfig({
      MENTOR_CAPACITY: '5',
      HISTORY_LIMIT_DEFAULT: '20',
      HISTORY_LIMIT_MAX: '100',
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '2',
      LOGIN_FAILURES_PER_ADDRESS: '30',
      LOGIN_FAILURE_WINDOW_SECONDS: '60',
      LOGIN_DELAY_MAX_SECONDS: '30',
      REGISTRATIONS_PER_ADDRESS: '4',
      TRUST_PROXY: '10.0.0.0/8, 192.168.1.1,::1',
    });
    assert.equal(config.mentorCapacity, 5);
    assert.deepEqual(config.history, { defaultLimit: 20, maxLimit: 100 });
    assert.deepEqual(config.loginThrottle, { perAccount: 3, perAccountAddress: 2, perAddress: 30, windowSeconds: 60, maxDelaySeconds: 30 });
    assert.deepEqual(config.registrationThrottle, { perAddress: 4, windowSeconds: 60 });
    assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '192.168.1.1', '::1']);
    assert.equal(loadConfig({ MENTOR_CAPACITY: 'Unlimited' }).mentorCapacity, null);
    assert.equal(loadConfig({ TRUST_PROXY: 'true' }).trustProxy, true);
    assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  });

  it('lists every problem of the API settings', () => {
    assert.throws(
      () =>
        loadConfig({
          MENTOR_CAPACITY: '0',
          HISTORY_LIMIT_DEFAULT: '300',
          HISTORY_LIMIT_MAX: '100',
          LOGIN_FAILURES_PER_ACCOUNT: 'ten',
          LOGIN_FAILURES_PER_ADDRESS: '-1',
          LOGIN_FAILURE_WINDOW_SECONDS: '0',
          TRUST_PROXY: '10.0.0.0/33',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 6, error.message);
        for (const name of [
          'MENTOR_CAPACITY',
          'HISTORY_LIMIT_DEFAULT',
          'LOGIN_FAILURES_PER_ACCOUNT',
          'LOGIN_FAILURES_PER_ADDRESS',
          'LOGIN_FAILURE_WINDOW_SECONDS',
          'TRUST_PROXY',
        ]) {
          assert.match(error.message, new RegExp(name));
        }
        return true;
      },
    );
    assert.throws(() => loadConfig({ TRUST_PROXY: 'the proxy' }), /TRUST_PROXY/);
  });

  it('by default pings every 25 s and ends a typing indicator after 10 s without renewal (PROTOCOL.md, "liveness" and "typing never sticks")', () => {
    const { chat } = loadConfig({});
    assert.deepEqual([chat.pingIntervalMs, chat.typingTimeoutMs], [25_000, 10_000]);
  });

  it('reads ARCHIVE_DAYS (default 30, 0 for no archive) and refuses what is not a day count', () => {
    assert.equal(loadConfig({}).archiveDays, 30);
    assert.equal(loadConfig({ ARCHIVE_DAYS: '0' }).archiveDays, 0);
    assert.equal(loadConfig({ ARCHIVE_DAYS: '365' }).archiveDays, 365);
    for (const bad of ['-1', '1.5', 'forever', '36501']) assert.throws(() => loadConfig({ ARCHIVE_DAYS: bad }), /ARCHIVE_DAYS/, `ARCHIVE_DAYS=${bad}`);
  });

  it('refuses throttle settings out of range, and a delay cap longer than the window', () => {
    for (const name of ['LOGIN_FAILURES_PER_ACCOUNT_ADDRESS', 'LOGIN_DELAY_MAX_SECONDS', 'REGISTRATIONS_PER_ADDRESS']) {
      for (const bad of ['0', 'many', '-3']) assert.throws(() => loadConfig({ [name]: bad }), new RegExp(name), `${name}=${bad}`);
    }
    assert.throws(() => loadConfig({ LOGIN_FAILURE_WINDOW_SECONDS: '60', LOGIN_DELAY_MAX_SECONDS: '61' }), /LOGIN_DELAY_MAX_SECONDS \(61\) must not exceed/);
  });

  it("reads PASSWORD_SCRYPT_N: OWASP's 2^17 unless set, a power of two from 2^14 to 2^20", () => {
    assert.equal(loadConfig({}).passwordScryptN, 131072);
    assert.equal(loadConfig({ PASSWORD_SCRYPT_N: '16384' }).passwordScryptN, 16384);
    assert.equal(loadConfig({ PASSWORD_SCRYPT_N: '1048576' }).passwordScryptN, 1048576);
    for (const bad of ['8192', '2097152', '100000', 'strong', '-16384', '16384.0']) {
      assert.throws(() => loadConfig({ PASSWORD_SCRYPT_N: bad }), /PASSWORD_SCRYPT_N must be a power of two from 16384 to 1048576/, bad);
    }
  });

  it('leaves TANDEM_ADMIN_PASSWORD to the start, which judges it only when it creates the admin', () => {
    // test/passwords.test.ts starts Tandem with weak ones: refused for a new admin, ignored for an existing one.
    assert.deepEqual(loadConfig({ TANDEM_ADMIN_EMAIL: 'root@example.com', TANDEM_ADMIN_PASSWORD: 'short' }).admin, {
      email: 'root@example.com',
      password: 'short',
    });
    assert.throws(() => loadConfig({ TANDEM_ADMIN_EMAIL: 'root@example.com' }), /TANDEM_ADMIN_EMAIL and TANDEM_ADMIN_PASSWORD must be set together/);
  });

  it('reads the WebSocket slow-consumer grace, 2000 ms unless set', () => {
    assert.equal(loadConfig({}).chat.slowCloseGraceMs, 2000);
    assert.equal(loadConfig({ WS_SLOW_CLOSE_GRACE_MS: '60000' }).chat.slowCloseGraceMs, 60000);
    assert.equal(loadConfig({ WS_SLOW_CLOSE_GRACE_MS: '0' }).chat.slowCloseGraceMs, 0);
    for (const bad of ['soon', '-1', '3600001']) assert.throws(() => loadConfig({ WS_SLOW_CLOSE_GRACE_MS: bad }), /WS_SLOW_CLOSE_GRACE_MS/);
  });

  it('reads the store deadline (5000 ms) and the shutdown bound (10000 ms), and refuses what is not a duration', () => {
    assert.deepEqual([loadConfig({}).storeTimeoutMs, loadConfig({}).shutdownTimeoutMs], [5000, 10000]);
    const set = loadConfig({ STORE_TIMEOUT_MS: '250', SHUTDOWN_TIMEOUT_MS: '1500' });
    assert.deepEqual([set.storeTimeoutMs, set.shutdownTimeoutMs], [250, 1500]);
    for (const bad of ['soon', '-1', '99', '600001'])
      assert.throws(() => loadConfig({ STORE_TIMEOUT_MS: bad }), /STORE_TIMEOUT_MS must be an integer from 100 to 600000/);
    for (const bad of ['never', '0', '3600001'])
      assert.throws(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: bad }), /SHUTDOWN_TIMEOUT_MS must be an integer from 100 to 3600000/);
  });

  it('reads the HTTP hardening settings, with their defaults, and lists their problems', () => {
    const defaults = loadConfig({});
    assert.equal(defaults.publicOrigin, null);
    assert.deepEqual(defaults.connections, {
      maxTotal: 10000,
      maxPerAddress: 256,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      keepAliveTimeoutMs: 5000,
      listenBacklog: 4096,
    });
    assert.deepEqual(defaults.metrics, { port: null, host: '127.0.0.1', token: null });
    assert.deepEqual(defaults.handshakeThrottle, { failuresPerAddress: 30 });
    const set = loadConfig({ PUBLIC_ORIGIN: 'https://chat.example.org', METRICS_PORT: '9100', METRICS_HOST: '10.0.0.5', METRICS_TOKEN: 'x'.repeat(16) });
    assert.equal(set.publicOrigin, 'https://chat.example.org');
    assert.deepEqual(set.metrics, { port: 9100, host: '10.0.0.5', token: 'x'.repeat(16) });
    assert.throws(
      () =>
        loadConfig({
          PUBLIC_ORIGIN: 'https://chat.example.org/',
          HTTP_MAX_CONNECTIONS: '0',
          HTTP_MAX_CONNECTIONS_PER_ADDRESS: 'many',
          HTTP_HEADERS_TIMEOUT_MS: '20000',
          HTTP_REQUEST_TIMEOUT_MS: '10000',
          HTTP_KEEP_ALIVE_TIMEOUT_MS: '50',
          LISTEN_BACKLOG: '0',
          METRICS_PORT: '70000',
          METRICS_TOKEN: 'short',
          WS_HANDSHAKE_FAILURES_PER_ADDRESS: '0',
          WS_HANDSHAKE_FAILURE_WINDOW_SECONDS: 'soon',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 10, error.message);
        for (const name of [
          'PUBLIC_ORIGIN',
          'HTTP_MAX_CONNECTIONS ',
          'HTTP_MAX_CONNECTIONS_PER_ADDRESS',
          'HTTP_HEADERS_TIMEOUT_MS',
          'HTTP_KEEP_ALIVE_TIMEOUT_MS',
          'LISTEN_BACKLOG',
          'METRICS_PORT',
          'METRICS_TOKEN',
          'WS_HANDSHAKE_FAILURES_PER_ADDRESS',
          'WS_HANDSHAKE_FAILURE_WINDOW_SECONDS',
        ]) {
          assert.match(error.message, new RegExp(name));
        }
        return true;
      },
    );
    assert.throws(() => loadConfig({ PUBLIC_ORIGIN: 'ftp://files.example.org' }), /PUBLIC_ORIGIN/);
    assert.throws(() => loadConfig({ PUBLIC_ORIGIN: 'chat.example.org' }), /PUBLIC_ORIGIN/);
  });

  it('reads the socket reads per event-loop turn (32 unless set, 1 to 1000000); the handshakes per turn are no longer a setting', () => {
    assert.equal(loadConfig({}).chat.readsPerTurn, 32);
    assert.equal(loadConfig({ WS_READS_PER_TURN: '500' }).chat.readsPerTurn, 500);
    assert.equal(loadConfig({ WS_READS_PER_TURN: '1000000' }).chat.readsPerTurn, 1_000_000);
    for (const bad of ['all', '0', '2.5', '1000001']) assert.throws(() => loadConfig({ WS_READS_PER_TURN: bad }), /WS_READS_PER_TURN/);
    for (const bad of ['many', '0', '-3', '1.5', '100001', '1', '16']) {
      assert.throws(() => loadConfig({ WS_HANDSHAKES_PER_TURN: bad }), /WS_HANDSHAKES_PER_TURN is no longer a setting: Tandem starts at most 16/);
    }
  });

  it('reads the conversation policy and the filter settings, and refuses bad ones', (t) => {
    const defaults = loadConfig({}).safeguarding;
    assert.deepEqual(defaults, { policy: 'private', wordsFile: null, phoneCountries: ['GB', 'US', 'IN', 'DE'], retentionDays: null });
    const dir = mkdtempSync(join(tmpdir(), 'tandem-words-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const words = join(dir, 'words.txt');
    writeFileSync(words, 'snapchat\n');
    const set = loadConfig({
      CONVERSATION_POLICY: 'Moderated',
      MODERATION_WORDS_FILE: words,
      MODERATION_PHONE_COUNTRIES: 'fr, gb',
      RETENTION_DAYS: '365',
    }).safeguarding;
    assert.deepEqual(set, { policy: 'moderated', wordsFile: words, phoneCountries: ['FR', 'GB'], retentionDays: 365 });
    for (const bad of ['0', '-1', 'forever', '1.5', '1234567']) assert.throws(() => loadConfig({ RETENTION_DAYS: bad }), /RETENTION_DAYS/);
    assert.equal(loadConfig({ CONVERSATION_POLICY: 'oversight' }).safeguarding.policy, 'oversight');
    assert.throws(() => loadConfig({ CONVERSATION_POLICY: 'public' }), /CONVERSATION_POLICY/);
    assert.throws(() => loadConfig({ MODERATION_WORDS_FILE: join(tmpdir(), 'no-such-tandem-words.txt') }), /MODERATION_WORDS_FILE/);
    for (const bad of ['XX', 'GB,ZZ', ',', 'england']) {
      assert.throws(() => loadConfig({ MODERATION_PHONE_COUNTRIES: bad }), /MODERATION_PHONE_COUNTRIES/);
    }
  });

  it('reads SAFEGUARDING_CONTACT as one trimmed line (blank is unset), and refuses a long or multi-line one', () => {
    assert.equal(loadConfig({}).programme.safeguardingContact, null);
    assert.equal(loadConfig({ SAFEGUARDING_CONTACT: '   ' }).programme.safeguardingContact, null);
    assert.equal(loadConfig({ SAFEGUARDING_CONTACT: ' Call Sam: 020 7946 0000 ' }).programme.safeguardingContact, 'Call Sam: 020 7946 0000');
    assert.equal(loadConfig({ SAFEGUARDING_CONTACT: 'é'.repeat(300) }).programme.safeguardingContact?.length, 300);
    for (const bad of ['x'.repeat(301), 'Call Sam\nor Ada', 'tab\there']) {
      assert.throws(() => loadConfig({ SAFEGUARDING_CONTACT: bad }), /SAFEGUARDING_CONTACT/);
    }
  });

  it('reads the webhook settings (off unless WEBHOOK_URL is set), and refuses bad ones without echoing the secret', () => {
    assert.equal(loadConfig({}).webhooks, null);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.deepEqual(loadConfig({ WEBHOOK_URL: 'https://platform.example/hooks', WEBHOOK_SECRET: secret }).webhooks, {
      url: 'https://platform.example/hooks',
      secret,
      timeoutMs: 10_000,
      retryMs: 24 * 3_600_000,
      backoffBaseMs: 1000,
      backoffMaxMs: 3_600_000,
      pollIntervalMs: 1000,
      unreadAfterMs: 900_000,
    });
    const on = (extra: Record<string, string>) => () => loadConfig({ WEBHOOK_URL: 'http://127.0.0.1:9/hooks', WEBHOOK_SECRET: secret, ...extra });
    assert.equal(on({ WEBHOOK_RETRY_HOURS: '0.5', UNREAD_NOTIFY_AFTER_SECONDS: '60' })().webhooks?.retryMs, 1_800_000);
    assert.equal(on({ UNREAD_NOTIFY_AFTER_SECONDS: '60' })().webhooks?.unreadAfterMs, 60_000);
    assert.throws(on({ WEBHOOK_URL: 'ftp://platform.example/' }), /WEBHOOK_URL must be an http\(s\) URL/);
    assert.throws(on({ WEBHOOK_URL: 'not a url' }), /WEBHOOK_URL must be an http\(s\) URL/);
    for (const bad of ['', 'plain-secret', 'whsec_', 'whsec_c2hvcnQ=', `whsec_${Buffer.alloc(65).toString('base64')}`, 'whsec_not*base64']) {
      assert.throws(
        on({ WEBHOOK_SECRET: bad }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, /WEBHOOK_SECRET must be whsec_/);
          if (bad.length > 6) assert.ok(!error.message.includes(bad), 'the secret is not echoed');
          return true;
        },
        `WEBHOOK_SECRET=${bad}`,
      );
    }
    assert.throws(() => loadConfig({ WEBHOOK_SECRET: secret }), /WEBHOOK_SECRET is set but WEBHOOK_URL is not/);
    for (const bad of ['0', '-1', 'a day', '721', '1e3']) assert.throws(on({ WEBHOOK_RETRY_HOURS: bad }), /WEBHOOK_RETRY_HOURS/, bad);
    for (const bad of ['0', 'soon', '99', '600001']) assert.throws(on({ WEBHOOK_TIMEOUT_MS: bad }), /WEBHOOK_TIMEOUT_MS/, bad);
    for (const bad of ['0', '1.5', 'never']) assert.throws(on({ UNREAD_NOTIFY_AFTER_SECONDS: bad }), /UNREAD_NOTIFY_AFTER_SECONDS/, bad);
    for (const bad of ['0', 'fast']) assert.throws(on({ WEBHOOK_BACKOFF_BASE_MS: bad }), /WEBHOOK_BACKOFF_BASE_MS/, bad);
    for (const bad of ['9', 'often']) assert.throws(on({ WEBHOOK_POLL_INTERVAL_MS: bad }), /WEBHOOK_POLL_INTERVAL_MS/, bad);
    assert.throws(
      on({ WEBHOOK_BACKOFF_BASE_MS: '5000', WEBHOOK_BACKOFF_MAX_MS: '1000' }),
      /WEBHOOK_BACKOFF_BASE_MS \(5000\) must not exceed WEBHOOK_BACKOFF_MAX_MS/,
    );
  });

  it('lists every problem in one error', () => {
    assert.throws(
      () =>
        loadConfig({
          PORT: 'eighty',
          DATABASE_URL: 'mysql://x',
          REDIS_URL: 'http://cache',
          TANDEM_ADMIN_EMAIL: 'a@b.c',
          ALLOWED_ORIGINS: 'https://ok.example/path',
          COOKIE_SECURE: 'maybe',
          REGISTRATION: 'invite-only',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 7, error.message);
        for (const name of ['PORT', 'DATABASE_URL', 'REDIS_URL', 'TANDEM_ADMIN_PASSWORD', 'ALLOWED_ORIGINS', 'COOKIE_SECURE', 'REGISTRATION']) {
          assert.match(error.message, new RegExp(name));
        }
        return true;
      },
    );
  });
});
