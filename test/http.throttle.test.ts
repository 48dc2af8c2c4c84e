/**
 * Login throttling: failed attempts only, per account and per client address, 429 with
 * Retry-After past either limit whatever the password. The server trusts X-Forwarded-For
 * (TRUST_PROXY=true) so a test can speak from many addresses.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { clientKey } from '../src/http/throttle.js';
import { Agent, createUser, loginAdmin, uniqueEmail } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';

const WINDOW_SECONDS = 600;
let addresses = 0;
/** A client address no other test uses. */
const freshAddress = () => `198.51.100.${++addresses}`;

describe('login throttling', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    server = await startServer(cleanup, {
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      LOGIN_FAILURES_PER_ADDRESS: '5',
      LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
      TRUST_PROXY: 'true',
    });
    admin = await loginAdmin(server.http);
  });

  const login = (email: string, password: string, address: string) =>
    new Agent(server.http).post('/api/auth/login', { email, password }, { 'x-forwarded-for': address });
  const account = async () => {
    const agent = await createUser(admin, { role: 'MENTEE' });
    return { email: agent.email, password: `pw-${agent.email}` };
  };

  function assertThrottled(reply: Awaited<ReturnType<typeof login>>): void {
    assert.equal(reply.status, 429);
    assert.deepEqual(reply.body, { error: 'rate_limited', message: 'Too many failed logins, try again later' });
    const retryAfter = Number(reply.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_SECONDS, `Retry-After ${reply.headers.get('retry-after')}`);
    assert.equal(reply.headers.get('set-cookie'), null);
  }

  it('never throttles successful logins; past the account limit even the right password gets 429', async () => {
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

  it('throttles an account attacked from many addresses, and only that account', async () => {
    const victim = await account();
    const bystander = await account();
    const used = [freshAddress(), freshAddress(), freshAddress()];
    for (const address of used) assert.equal((await login(victim.email.toUpperCase(), 'guess', address)).status, 401);
    assertThrottled(await login(victim.email, victim.password, freshAddress()));
    for (const address of used) assert.equal((await login(bystander.email, bystander.password, address)).status, 200);
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

  it('admits exactly the limit from a burst of parallel guesses', async () => {
    const user = await account();
    const replies = await Promise.all(Array.from({ length: 12 }, () => login(user.email, 'parallel guess', freshAddress())));
    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [...Array(3).fill(401), ...Array(9).fill(429)]);
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
    const scrape = async () => Number(/^tandem_login_attempts_total\{outcome="throttled"\} (\d+)$/m.exec((await new Agent(server.http).get('/metrics')).body)?.[1]);
    const before = await scrape();
    const user = await account();
    const address = freshAddress();
    for (let i = 0; i < 3; i++) await login(user.email, 'wrong', address);
    assertThrottled(await login(user.email, user.password, address));
    assert.equal(await scrape(), before + 1);
  });
});
