/**
 * The server API (PROTOCOL.md Part 5): the platform's backend with an API key acts as the
 * admin `api:<name>` — exactly what an admin may do, no more — without cookies, so the
 * origin rule does not apply; a wrong key is 401 and counts toward the address's login
 * throttle, as does any bearer that proves nobody, whatever its shape.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SignJWT } from 'jose';
import { Agent, createUser, loginAdmin, uniqueEmail } from './helpers/http.js';
import { startServer } from './helpers/server.js';

const KEY = 'matching-secret-0123456789';
const KEYS = `matching:${KEY},reports:another-secret-9876543210`;

/** An agent that sends the key as a bearer and never a cookie. */
function keyed(base: string, key = KEY) {
  const agent = new Agent(base);
  const headers = { authorization: `Bearer ${key}` };
  return {
    get: (path: string) => agent.get(path, headers),
    post: (path: string, body?: unknown, extra: Record<string, string> = {}) => agent.post(path, body, { ...headers, ...extra }),
    put: (path: string, body?: unknown, extra: Record<string, string> = {}) => agent.request('PUT', path, body, { ...headers, ...extra }),
    delete: (path: string) => agent.delete(path, headers),
  };
}

it('an API key can do what an admin can: the same answers, call for call', async (t) => {
  const server = await startServer(t, { API_KEYS: KEYS });
  const admin = await loginAdmin(server.http);
  const api = keyed(server.http);
  const person = (role: string) => ({ email: uniqueEmail('api'), password: 'long enough pass', first_name: 'Api', last_name: 'Made', role });
  const mentor = await createUser(admin, { role: 'MENTOR' });
  const menteeA = await createUser(admin, { role: 'MENTEE' });
  const menteeB = await createUser(admin, { role: 'MENTEE' });
  const enc = encodeURIComponent;
  const calls: Array<[string, (who: typeof api | Agent) => Promise<{ status: number }>]> = [
    ['GET /api/me', (who) => who.get('/api/me')],
    ['POST /api/users', (who) => who.post('/api/users', person('ADMIN'))],
    ['POST /api/matches (A)', (who) => who.post('/api/matches', { mentor_email: mentor.email, mentee_email: (who === admin ? menteeA : menteeB).email })],
    ['POST /api/matches again', (who) => who.post('/api/matches', { mentor_email: mentor.email, mentee_email: (who === admin ? menteeA : menteeB).email })],
    ['GET /api/matches', (who) => who.get('/api/matches')],
    ['GET /api/chat/conversations', (who) => who.get('/api/chat/conversations')],
    ["GET a pair's history", (who) => who.get(`/api/chat/${enc(mentor.email)}/messages`)],
    ['DELETE /api/matches', (who) => who.delete(`/api/matches/${enc((who === admin ? menteeA : menteeB).email)}`)],
    ['DELETE /api/matches again', (who) => who.delete(`/api/matches/${enc((who === admin ? menteeA : menteeB).email)}`)],
  ];
  const asAdmin: Record<string, number> = {};
  const asKey: Record<string, number> = {};
  for (const [name, call] of calls) {
    asAdmin[name] = (await call(admin)).status;
    asKey[name] = (await call(api)).status;
  }
  assert.deepEqual(asKey, asAdmin);
  assert.deepEqual(asAdmin, {
    'GET /api/me': 200,
    'POST /api/users': 201,
    'POST /api/matches (A)': 201,
    'POST /api/matches again': 409,
    'GET /api/matches': 200,
    'GET /api/chat/conversations': 200,
    "GET a pair's history": 403,
    'DELETE /api/matches': 204,
    'DELETE /api/matches again': 404,
  });
  const me = await api.get('/api/me');
  assert.deepEqual(me.body.user, { email: 'api:matching', first_name: 'api:matching', last_name: '', role: 'ADMIN' }, 'acts as api:<name>');
  assert.equal((await keyed(server.http, 'another-secret-9876543210').get('/api/me')).body.user.email, 'api:reports');
});

it('no cookie, no origin rule: an API key from any origin; the same origin rule for cookies as before', async (t) => {
  const server = await startServer(t, { API_KEYS: KEYS, PUBLIC_ORIGIN: 'https://chat.example.org' });
  const api = keyed(server.http);
  const body = { email: uniqueEmail('origin'), password: 'long enough pass', first_name: 'Or', last_name: 'Igin', role: 'MENTOR' };
  assert.equal((await api.post('/api/users', body, { origin: 'https://elsewhere.example' })).status, 201);
  const admin = await loginAdmin(server.http);
  const withCookie = await admin.post(
    '/api/users',
    { ...body, email: uniqueEmail('origin') },
    { origin: 'https://elsewhere.example', authorization: `Bearer ${KEY}` },
  );
  assert.equal(withCookie.status, 403, 'a cookie rides along: the origin rule applies');
});

it("a wrong key is 401, counts toward the address's login throttle, and is then 429", async (t) => {
  const server = await startServer(t, { API_KEYS: KEYS, LOGIN_FAILURES_PER_ADDRESS: '3' });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await keyed(server.http, `wrong-key-${i}-0123456789`).get('/api/matches')).status);
  assert.deepEqual(statuses, [401, 401, 401, 429]);
  const throttled = await keyed(server.http, 'wrong-again-0123456789').get('/api/matches');
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1, 'Retry-After');
  const login = await new Agent(server.http).post('/api/auth/login', { email: 'someone@tandem.test', password: 'whatever-it-is' });
  assert.equal(login.status, 429, "the same address's logins are throttled too");
  const noKeys = await startServer(t);
  assert.equal((await keyed(noKeys.http).get('/api/matches')).status, 401, 'without API_KEYS a bearer proves nothing');
});

it('a bearer that proves nobody gets one answer whatever its shape (API key, token, neither), and every shape counts toward the throttle', async (t) => {
  const secret = 'the-platform-signs-with-this-secret-0123456789';
  const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: secret, API_KEYS: KEYS, LOGIN_FAILURES_PER_ADDRESS: '4' });
  const signed = (key: string) =>
    new SignJWT({ email: 'who@tandem.test' }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(key));
  const bearers = ['wrong-key-0123456789', 'aaa.bbb.ccc', await signed('another-secret-that-is-long-enough-0123456789'), `${KEY}.x.y`];
  const answers = async () =>
    Promise.all(
      bearers.map(async (bearer) => {
        const reply = await keyed(server.http, bearer).get('/api/matches');
        return [reply.status, reply.body];
      }),
    );
  assert.deepEqual(
    await answers(),
    bearers.map(() => [401, { error: 'unauthenticated', message: 'Authentication required' }]),
  );
  const throttled = await answers();
  assert.deepEqual(
    throttled.map(([status, body]) => [status, body.error]),
    bearers.map(() => [429, 'rate_limited']),
  );
  assert.equal(new Set(throttled.map(([, body]) => JSON.stringify(body))).size, 1, 'the same body');
});
