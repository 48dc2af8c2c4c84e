/**
 * Registration and admin-created users under fire: a throttle per client address, cheap
 * checks before any scrypt work (observed through tandem_password_hashes_total), and the
 * password rules (`weak_password`). The server trusts X-Forwarded-For so a test can speak
 * from many addresses.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Agent, loginAdmin, person, uniqueEmail } from './helpers/http.js';
import { startServer, suiteCleanup, type TestServer } from './helpers/server.js';
import { metricsAuth } from './helpers/accounts.js';

const PER_ADDRESS = 4;
const WINDOW_SECONDS = 600;
let addresses = 0;
const freshAddress = () => `192.0.2.${++addresses}`;

describe('registration under fire', () => {
  let server: TestServer;
  let admin: Agent;
  const cleanup = suiteCleanup();
  before(async () => {
    // The flood below opens hundreds of connections, all from 127.0.0.1.
    server = await startServer(cleanup, {
      TRUST_PROXY: 'true',
      REGISTRATIONS_PER_ADDRESS: String(PER_ADDRESS),
      LOGIN_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS),
      HTTP_MAX_CONNECTIONS_PER_ADDRESS: '100000',
    });
    admin = await loginAdmin(server.http);
  });

  const register = (body: unknown, address = freshAddress()) => new Agent(server.http).post('/api/auth/register', body, { 'x-forwarded-for': address });
  const hashes = async (): Promise<number> => {
    const text = (await new Agent(server.http).get('/metrics', metricsAuth)).body as string;
    return Number(/^tandem_password_hashes_total\{operation="hash"\} (\d+)$/m.exec(text)?.[1]);
  };

  it('past the limit per address: 429 rate_limited with Retry-After, and no user is created', async () => {
    const address = freshAddress();
    for (let i = 0; i < PER_ADDRESS; i++) assert.equal((await register(person(), address)).status, 201, `registration ${i + 1}`);
    const refused = person();
    const reply = await register(refused, address);
    assert.equal(reply.status, 429);
    assert.deepEqual(reply.body, { error: 'rate_limited', message: 'Too many registrations from this address, try again later' });
    const retryAfter = Number(reply.headers.get('retry-after'));
    assert.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= WINDOW_SECONDS, `Retry-After ${retryAfter}`);
    assert.equal(await server.tandem.store.accounts.byEmail(String(refused.email)), null);
    // Refused attempts count too, and other addresses are not concerned.
    assert.equal((await register(person(), address)).status, 429);
    assert.equal((await register(refused, freshAddress())).status, 201);
  });

  it('counts attempts that fail as well, so probing for taken emails is throttled too', async () => {
    const address = freshAddress();
    const taken = person();
    assert.equal((await register(taken)).status, 201);
    for (let i = 0; i < PER_ADDRESS; i++) assert.equal((await register({ ...taken, first_name: `Probe ${i}` }, address)).status, 409);
    assert.equal((await register(taken, address)).status, 429);
  });

  it('answers a taken email, a weak password and a bad name without hashing anything', async () => {
    const taken = person();
    assert.equal((await register(taken)).status, 201);
    const before = await hashes();
    assert.equal((await register({ ...taken, password: 'another long one' })).status, 409);
    assert.equal((await admin.post('/api/users', { ...taken, role: 'MENTOR' })).status, 409);
    assert.equal((await register(person({ password: 'password' }))).status, 400);
    assert.equal((await register(person({ first_name: 'A\u202Eb' }))).status, 400);
    assert.equal(await hashes(), before);
    assert.equal((await register(person())).status, 201);
    assert.equal(await hashes(), before + 1);
  });

  it('a flood of registrations from one address leaves sign-in responsive (measured, not asserted)', async (t) => {
    const address = freshAddress();
    const user = person();
    assert.equal((await register(user)).status, 201);
    const signIn = async () => {
      const started = performance.now();
      const reply = await new Agent(server.http).post('/api/auth/login', { email: user.email, password: user.password }, { 'x-forwarded-for': freshAddress() });
      assert.equal(reply.status, 200);
      return performance.now() - started;
    };
    const quiet = await signIn();
    const before = await hashes();
    const flood = Promise.all(Array.from({ length: 400 }, (_, i) => register(person({ first_name: `Flood ${i}` }), address)));
    const loaded = await signIn();
    const statuses = (await flood).map((reply) => reply.status);
    assert.equal(statuses.filter((status) => status === 201).length, PER_ADDRESS);
    assert.equal(statuses.filter((status) => status === 429).length, 400 - PER_ADDRESS);
    assert.equal(await hashes(), before + PER_ADDRESS);
    t.diagnostic(`login ${quiet.toFixed(0)} ms quiet, ${loaded.toFixed(0)} ms during 400 registrations from one address (${PER_ADDRESS} hashed)`);
  });

  describe('weak passwords', () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['the most common one', { password: 'password' }, /one of the most common passwords/],
      ['digits in a row', { password: '12345678' }, /one of the most common passwords/],
      ['a common one in capitals', { password: 'IloveYOU' }, /one of the most common passwords/],
      ['a common one, longer', { password: 'qwertyuiop' }, /one of the most common passwords/],
      ['the email local part', { email: 'grace.hopper@tandem.test', password: 'grace.hopper' }, /must not contain the email address/],
      ['containing the local part', { email: 'hopper@tandem.test', password: 'my-HOPPER-2026' }, /must not contain the email address/],
      ['containing the first name', { first_name: 'Augusta', password: 'augusta-rules!' }, /must not contain your name/],
      ['equal to the last name', { last_name: 'Lovelace-Byron', password: 'lovelace-byron' }, /must not contain your name/],
    ];
    for (const [name, overrides, message] of cases) {
      it(`refuses ${name}: 400 weak_password saying why, on register and on admin-created users`, async () => {
        // The admin's user has another email with the same local part, when that is the point.
        const local = typeof overrides.email === 'string' ? overrides.email.split('@')[0] : null;
        const adminEmail = local ? `${local}@admin.tandem.test` : uniqueEmail('adm');
        for (const reply of [await register(person(overrides)), await admin.post('/api/users', person({ ...overrides, email: adminEmail, role: 'ADMIN' }))]) {
          assert.equal(reply.status, 400, JSON.stringify(reply.body));
          assert.equal(reply.body.error, 'weak_password');
          assert.match(reply.body.message, message);
        }
        const again = person(overrides);
        assert.equal(await server.tandem.store.accounts.byEmail(String(again.email)), null);
      });
    }

    it('accepts passwords that merely share short pieces with the names', async () => {
      for (const body of [
        person({ first_name: 'Al', password: 'always sunny days' }),
        person({ email: uniqueEmail('bo'), password: 'correct horse battery' }),
      ]) {
        const reply = await register(body);
        assert.equal(reply.status, 201, JSON.stringify(reply.body));
      }
    });
  });
});
