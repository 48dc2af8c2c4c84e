/**
 * Login throttling: failed attempts only, per account and address together (hard), per
 * address across accounts (hard), and per account from everywhere (growing delays for the
 * addresses that failed, never for one that has not), 429 with Retry-After whatever the
 * password. The server trusts X-Forwarded-For (TRUST_PROXY=true) so a test can speak from
 * many addresses.
 */
import assert from 'node:assert/strict';
import { before, describe, it, type TestContext } from 'node:test';
import { clientKey } from '../src/http/throttle.js';
import { Agent, createUser, loginAdmin, uniqueEmail } from './helpers/http.js';
import { startServer, suiteCleanup, tempDir, type TestServer } from './helpers/server.js';
import { freshDatabase, testDatabaseUrl } from './helpers/backends.js';
import { itNeeding } from './helpers/needs.js';
import { passwordOf } from './helpers/accounts.js';
import { metricsAuth } from './helpers/accounts.js';

const WINDOW_SECONDS = 600;
const PER_ACCOUNT = 4;
const MAX_DELAY_SECONDS = 256;
let addresses = 0;
/** A client address no other test uses. */
const freshAddress = () => `198.51.${100 + Math.floor(++addresses / 250)}.${(addresses % 250) + 1}`;

describe('login throttling', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup, {
      LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '3',
      LOGIN_FAILURES_PER_ADDRESS: '5',
      LOGIN_FAILURES_PER_ACCOUNT: String(PER_ACCOUNT),
      LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
      LOGIN_DELAY_MAX_SECONDS: String(MAX_DELAY_SECONDS),
      TRUST_PROXY: 'true',
    });
    admin = await loginAdmin(server.http);
  });

  const login = (email: string, password: string, address: string) =>
    new Agent(server.http).post('/api/auth/login', { email, password }, { 'x-forwarded-for': address });
  const account = async () => {
    const agent = await createUser(admin, { role: 'MENTEE' });
    return { email: agent.email, password: passwordOf(agent.email) };
  };

  /** Asserts a 429 of the throttle and answers its Retry-After. */
  function assertThrottled(reply: Awaited<ReturnType<typeof login>>, most = WINDOW_SECONDS): number {
    assert.equal(reply.status, 429, JSON.stringify(reply.body));
    assert.deepEqual(reply.body, { error: 'rate_limited', message: 'Too many failed logins, try again later' });
    const retryAfter = Number(reply.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= most, `Retry-After ${reply.headers.get('retry-after')} (at most ${most})`);
    assert.equal(reply.headers.get('set-cookie'), null);
    return retryAfter;
  }

  it('never throttles successful logins; past the account:address limit even the right password gets 429 there', async () => {
    const user = await account();
    const address = freshAddress();
    for (let i = 0; i < 12; i++) assert.equal((await login(user.email, user.password, address)).status, 200, `success ${i + 1}`);
    for (let i = 0; i < 3; i++) assert.equal((await login(user.email, 'wrong password', address)).status, 401, `failure ${i + 1}`);
    assertThrottled(await login(user.email, user.password, address));
    assertThrottled(await login(user.email, 'wrong password', address));
  });

  it('counts failures only: a success between failures gives its own slot back but forgives none', async () => {
    const user = await account();
    const address = freshAddress();
    assert.equal((await login(user.email, 'wrong 1', address)).status, 401);
    assert.equal((await login(user.email, 'wrong 2', address)).status, 401);
    for (let i = 0; i < 3; i++) assert.equal((await login(user.email, user.password, address)).status, 200);
    assert.equal((await login(user.email, 'wrong 3', address)).status, 401);
    assertThrottled(await login(user.email, user.password, address));
  });

  it("throttles the attacker's address, while the real user signs in from another address", async () => {
    const victim = await account();
    const attacker = freshAddress();
    for (let i = 0; i < 3; i++) assert.equal((await login(victim.email, `guess ${i}`, attacker)).status, 401);
    for (let i = 0; i < 5; i++) assertThrottled(await login(victim.email, `guess ${i}`, attacker));
    assertThrottled(await login(victim.email, victim.password, attacker));
    const home = freshAddress();
    assert.equal((await login(victim.email, victim.password, home)).status, 200);
    assertThrottled(await login(victim.email, 'one more guess', attacker));
    assert.equal((await login(victim.email, victim.password, home)).status, 200);
  });

  it('slows a distributed attack on one account with growing delays, never locking out an address that has not failed', async (t) => {
    const victim = await account();
    const bystander = await account();
    let failures = 0;
    const fail = async (address: string): Promise<boolean> => {
      const reply = await login(victim.email, `guess ${failures}`, address);
      if (reply.status === 401) failures++;
      else assertThrottled(reply, Math.min(2 ** (failures - PER_ACCOUNT), MAX_DELAY_SECONDS));
      return reply.status === 401;
    };
    // Up to the account's limit, every address gets its guesses checked.
    while (failures < PER_ACCOUNT) assert.equal(await fail(freshAddress()), true);
    const seen: Array<{ failures: number; retryAfter: number }> = [];
    for (let round = 0; round < 9; round++) {
      // Each new address's first guess is checked (it has not failed): the account's count grows…
      let address = freshAddress();
      assert.equal(await fail(address), true);
      // …and once it has failed, that address waits for the account's next delay slot. A guess
      // that lands in a fresh slot is checked too; then another address takes over before its
      // own hard limit (3) is reached.
      let reply = await login(victim.email, 'again', address);
      for (let tries = 0; reply.status === 401 && tries < 20; tries++) {
        failures++;
        address = freshAddress();
        assert.equal(await fail(address), true);
        reply = await login(victim.email, 'again', address);
      }
      seen.push({ failures, retryAfter: assertThrottled(reply, Math.min(2 ** (failures - PER_ACCOUNT), MAX_DELAY_SECONDS)) });
      // The right password from an address without failures goes through at once.
      assert.equal((await login(victim.email, victim.password, freshAddress())).status, 200);
      assert.equal((await login(bystander.email, bystander.password, address)).status, 200);
    }
    t.diagnostic(`Retry-After by failures so far: ${seen.map((entry) => `${entry.failures}→${entry.retryAfter}s`).join(' ')}`);
    const first = seen[0]!.retryAfter;
    const last = seen.slice(-3).map((entry) => entry.retryAfter);
    assert.ok(Math.max(...last) > first, `Retry-After grows with the failures: ${JSON.stringify(seen)}`);
    assert.equal((await login(victim.email, victim.password, freshAddress())).status, 200);
  });

  it('throttles an address trying many accounts, known or not, and only that address', async () => {
    const address = freshAddress();
    const user = await account();
    const targets = [uniqueEmail('ghost'), uniqueEmail('ghost'), (await account()).email, (await account()).email, uniqueEmail('ghost')];
    for (const email of targets) assert.equal((await login(email, 'guess', address)).status, 401);
    assertThrottled(await login(user.email, user.password, address));
    const unknown = await login(uniqueEmail('ghost'), 'guess', address);
    assertThrottled(unknown);
    assert.equal((await login(user.email, user.password, freshAddress())).status, 200);
  });

  it('admits exactly the account:address limit from a burst of parallel guesses', async () => {
    const user = await account();
    const address = freshAddress();
    const replies = await Promise.all(Array.from({ length: 12 }, () => login(user.email, 'parallel guess', address)));
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [...Array(3).fill(401), ...Array(9).fill(429)]);
    assert.equal((await login(user.email, user.password, freshAddress())).status, 200);
  });

  it('counts an IPv6 client by its /64, and an IPv4-mapped one as IPv4', async () => {
    assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
    assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(clientKey('::1'), '0:0:0:0::/64');
    assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
    assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
    const address = (suffix: string) => `2001:db8:42:7::${suffix}`;
    for (let i = 1; i <= 5; i++) assert.equal((await login(uniqueEmail('ghost'), 'guess', address(i.toString(16)))).status, 401);
    const user = await account();
    assertThrottled(await login(user.email, user.password, address('beef')));
    assert.equal((await login(user.email, user.password, '2001:db8:42:8::1')).status, 200);
  });

  it('counts throttled attempts in tandem_login_attempts_total', async () => {
    const scrape = async () =>
      Number(/^tandem_login_attempts_total\{outcome="throttled"\} (\d+)$/m.exec((await new Agent(server.http).get('/metrics', metricsAuth)).body)?.[1]);
    const before = await scrape();
    const user = await account();
    const address = freshAddress();
    for (let i = 0; i < 3; i++) await login(user.email, 'wrong', address);
    assertThrottled(await login(user.email, user.password, address));
    assert.equal(await scrape(), before + 1);
  });
});

describe('login throttling across instances', () => {
  // Both engines, always: without TANDEM_TEST_DATABASE_URL the PostgreSQL case shows as
  // skipped, and under CI it fails, rather than being left out.
  const backends: Array<[string, string | null, (t: TestContext) => Promise<string>]> = [
    ['one SQLite file', null, async (t) => `sqlite:${tempDir(t)}/shared.db`],
    [
      'PostgreSQL',
      testDatabaseUrl ? null : 'TANDEM_TEST_DATABASE_URL is not set',
      async (t) => {
        const database = await freshDatabase();
        t.after(database.drop);
        return database.url;
      },
    ],
  ];
  for (const [name, missing, databaseUrl] of backends) {
    itNeeding(
      `counts the failures of both instances together (${name})`,
      missing,
      async (t) => {
        const url = await databaseUrl(t);
        const env = { DATABASE_URL: url, TRUST_PROXY: 'true', LOGIN_FAILURES_PER_ACCOUNT_ADDRESS: '3', LOGIN_FAILURES_PER_ACCOUNT: '100' };
        const one = await startServer(t, env);
        const two = await startServer(t, env);
        const admin = await loginAdmin(one.http);
        const user = await createUser(admin, { role: 'MENTEE' });
        const password = passwordOf(user.email);
        const from = (server: TestServer, secret: string) =>
          new Agent(server.http).post('/api/auth/login', { email: user.email, password: secret }, { 'x-forwarded-for': '203.0.113.9' });
        assert.equal((await from(one, 'guess 1')).status, 401);
        assert.equal((await from(two, 'guess 2')).status, 401);
        assert.equal((await from(one, 'guess 3')).status, 401);
        assert.equal((await from(two, password)).status, 429);
        assert.equal((await from(one, password)).status, 429);
      },
      'see .ci/run',
    );
  }
});
