/**
 * AUTH=jwt (PROTOCOL.md Part 5): tokens the platform signs — HS256 with a secret, RS256 and
 * ES256 with a PEM public key or a JWKS URL — prove who a request is over HTTP (Bearer) and
 * over the WebSocket (`?token=`); the user is created, then updated, from the claims; every
 * kind of bad token is 401 / 4001; an open socket whose token expires is told so and closed
 * with 4001; a token never reaches the log.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Agent, loginAdmin, match } from './helpers/http.js';
import { freePort } from './helpers/ports.js';
import { claimsOf, mint, Platform, platformUser, signingKey, unsigned, type PlatformUser, type SigningKey } from './helpers/platform.js';
import { hashSessionToken, newSessionToken } from '../src/auth/sessions.js';
import { ADMIN, startServer, type TestServer } from './helpers/server.js';
import { chatUrl, connectChat, TestSocket } from './helpers/socket.js';

const SECRET = 'a-platform-secret-of-at-least-32-characters';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** GET /api/me with the token: the status, and the user Tandem made of the claims. */
async function me(server: TestServer, token: string) {
  const reply = await new Agent(server.http).get('/api/me', bearer(token));
  return { status: reply.status, user: reply.body?.user };
}

/** The close code of a handshake with `?token=`. */
async function handshakeClose(server: TestServer, partner: string, token: string): Promise<number> {
  const socket = new TestSocket(chatUrl(server.ws, partner, `?token=${encodeURIComponent(token)}`));
  return (await socket.closedWithin()).code;
}

/** Both sides made from their tokens, matched by the admin, chatting with `?token=` sockets. */
async function chatWithTokens(server: TestServer, tokens: { mentor: string; mentee: string }, people: { mentor: PlatformUser; mentee: PlatformUser }) {
  assert.equal((await me(server, tokens.mentor)).status, 200);
  assert.equal((await me(server, tokens.mentee)).status, 200);
  const admin = await loginAdmin(server.http);
  await match(admin, { email: people.mentor.email } as Agent, { email: people.mentee.email } as Agent);
  const mentee = await connectChat(server.ws, people.mentor.email, undefined, { query: `?token=${encodeURIComponent(tokens.mentee)}` });
  const mentor = await connectChat(server.ws, people.mentee.email, undefined, { query: `?token=${encodeURIComponent(tokens.mentor)}` });
  mentee.send({ type: 'chat_message', content: 'Hello over a token', client_id: 'jwt-1' });
  const { frame } = await mentor.until((f) => f.type === 'chat_message');
  assert.equal(frame.content, 'Hello over a token');
  assert.equal(frame.sender_name, `${people.mentee.first_name} ${people.mentee.last_name}`);
  await mentee.close();
  await mentor.close();
}

describe('jwt keys', () => {
  it('HS256 with JWT_SECRET: HTTP and WebSocket, the user created and then updated from the claims', async (t) => {
    const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
    const people = { mentor: platformUser('MENTOR'), mentee: platformUser('MENTEE') };
    const first = await me(server, await mint(claimsOf(people.mentee), SECRET));
    assert.deepEqual(first, {
      status: 200,
      user: { email: people.mentee.email, first_name: people.mentee.first_name, last_name: people.mentee.last_name, role: 'MENTEE' },
    });
    const renamed = await me(server, await mint({ ...claimsOf(people.mentee), given_name: 'Samantha' }, SECRET));
    assert.equal(renamed.user.first_name, 'Samantha', 'names follow the claims');
    people.mentee.first_name = 'Samantha';
    await chatWithTokens(server, { mentor: await mint(claimsOf(people.mentor), SECRET), mentee: await mint(claimsOf(people.mentee), SECRET) }, people);
  });

  for (const alg of ['RS256', 'ES256'] as const) {
    it(`${alg} with JWT_PUBLIC_KEY (PEM): HTTP and WebSocket`, async (t) => {
      const key = await signingKey(alg, 'pem-key');
      const server = await startServer(t, { AUTH: 'local,jwt', JWT_PUBLIC_KEY: key.pem });
      const people = { mentor: platformUser('MENTOR'), mentee: platformUser('MENTEE') };
      await chatWithTokens(server, { mentor: await mint(claimsOf(people.mentor), key), mentee: await mint(claimsOf(people.mentee), key) }, people);
      const other = await signingKey(alg, 'pem-key');
      assert.equal((await me(server, await mint(claimsOf(people.mentee), other))).status, 401, 'another key of the same kind');
    });

    it(`${alg} with JWT_JWKS_URL: HTTP and WebSocket, the key set fetched once and cached`, async (t) => {
      const platform = await Platform.start(t);
      const key = await signingKey(alg, `${alg}-1`);
      platform.jwks.push(key.jwk);
      const server = await startServer(t, { AUTH: 'local,jwt', JWT_JWKS_URL: `${platform.url}/jwks` });
      const people = { mentor: platformUser('MENTOR'), mentee: platformUser('MENTEE') };
      await chatWithTokens(server, { mentor: await mint(claimsOf(people.mentor), key), mentee: await mint(claimsOf(people.mentee), key) }, people);
      assert.equal(platform.calls.jwks, 1, 'four verifications, one fetch');
    });
  }
});

it('JWKS: an unknown kid makes one refresh — a rotated-in key is then accepted, a foreign kid refused', async (t) => {
  const platform = await Platform.start(t);
  const first = await signingKey('ES256', 'k1');
  platform.jwks.push(first.jwk);
  // The least refresh period (0 is refused); each step waits it out, so a loaded machine only waits longer.
  const server = await startServer(t, { AUTH: 'jwt', JWT_JWKS_URL: `${platform.url}/jwks`, JWT_JWKS_REFRESH_SECONDS: '1' });
  const refreshPeriodPassed = () => new Promise((resolve) => setTimeout(resolve, 1100));
  const user = platformUser('MENTEE');
  assert.equal((await me(server, await mint(claimsOf(user), first))).status, 200);
  assert.equal(platform.calls.jwks, 1);

  const rotated = await signingKey('ES256', 'k2');
  platform.jwks.push(rotated.jwk);
  await refreshPeriodPassed();
  assert.equal((await me(server, await mint(claimsOf(user), rotated))).status, 200, 'the new kid is fetched');
  assert.equal(platform.calls.jwks, 2);

  const foreign = await signingKey('ES256', 'k-unknown');
  await refreshPeriodPassed();
  assert.equal((await me(server, await mint(claimsOf(user), foreign))).status, 401);
  assert.equal(platform.calls.jwks, 3, 'refreshed once, then refused');
  await refreshPeriodPassed();
  assert.equal(await handshakeClose(server, 'anyone@platform.test', await mint(claimsOf(user), foreign)), 4001);
  assert.equal(platform.calls.jwks, 4, 'the handshake too: one refresh, then 4001');
});

it('JWKS: refreshes forced by unknown kids are at most one per JWT_JWKS_REFRESH_SECONDS', async (t) => {
  const platform = await Platform.start(t);
  const known = await signingKey('RS256', 'known');
  platform.jwks.push(known.jwk);
  const server = await startServer(t, { AUTH: 'jwt', JWT_JWKS_URL: `${platform.url}/jwks` });
  const user = platformUser('MENTOR');
  assert.equal((await me(server, await mint(claimsOf(user), known))).status, 200);
  for (let i = 0; i < 5; i++) {
    const foreign = await signingKey('RS256', `foreign-${i}`);
    assert.equal((await me(server, await mint(claimsOf(user), foreign))).status, 401);
  }
  assert.equal(platform.calls.jwks, 1, 'five unknown kids within the refresh period fetched nothing more');
});

it('JWKS that cannot be fetched: 503 and close 1011, never access', async (t) => {
  const platform = await Platform.start(t);
  const key = await signingKey('ES256', 'k1');
  const server = await startServer(t, { AUTH: 'jwt', JWT_JWKS_URL: `${platform.url}/jwks-missing`, JWT_JWKS_REFRESH_SECONDS: '1' });
  const token = await mint(claimsOf(platformUser('MENTEE')), key);
  const reply = await new Agent(server.http).get('/api/me', bearer(token));
  assert.deepEqual([reply.status, reply.body.error], [503, 'unavailable']);
  assert.equal(await handshakeClose(server, 'anyone@platform.test', token), 1011);
  const closed = await startServer(t, { AUTH: 'jwt', JWT_JWKS_URL: `http://127.0.0.1:${await freePort()}/jwks` });
  assert.equal((await new Agent(closed.http).get('/api/me', bearer(token))).status, 503, 'nothing listening');
});

it('refuses every bad token: 401 over HTTP, 4001 on the WebSocket', async (t) => {
  const server = await startServer(t, {
    AUTH: 'jwt',
    JWT_SECRET: SECRET,
    JWT_ISSUER: 'https://platform.test',
    JWT_AUDIENCE: 'tandem',
    JWT_MAX_LIFETIME_SECONDS: '3600',
  });
  const user = platformUser('MENTEE');
  const now = Math.floor(Date.now() / 1000);
  const good = { ...claimsOf(user), iss: 'https://platform.test', aud: 'tandem' };
  assert.equal((await me(server, await mint(good, SECRET))).status, 200, 'the well-formed token passes');
  const { exp: _exp, ...noExp } = good;
  const { role: _role, ...noRole } = good as Record<string, unknown>;
  const bad: Record<string, string> = {
    expired: await mint({ ...good, iat: now - 600, exp: now - 60 }, SECRET),
    'not yet valid': await mint({ ...good, nbf: now + 600 }, SECRET),
    'wrong signature': await mint(good, 'another-secret-of-at-least-32-characters!!'),
    'wrong iss': await mint({ ...good, iss: 'https://evil.test' }, SECRET),
    'wrong aud': await mint({ ...good, aud: 'someone-else' }, SECRET),
    'alg none': unsigned(good),
    'no exp': await mint(noExp, SECRET),
    'lives longer than allowed': await mint({ ...good, exp: now + 7200 }, SECRET),
    'no iat, exp too far ahead': await mint({ ...good, iat: undefined, exp: now + 7200 } as never, SECRET),
    // Within the lifetime bound as measured from its iat, but valid for a year from now.
    'issued in the future': await mint({ ...good, iat: now + 365 * 86_400, exp: now + 365 * 86_400 + 600 }, SECRET),
    'no role': await mint(noRole, SECRET),
    'HS512 instead of HS256': await mint(good, SECRET, { alg: 'HS512' }),
    'not a token at all': 'definitely-not-a-jwt',
  };
  const statuses: Record<string, [number, number]> = {};
  for (const [name, token] of Object.entries(bad))
    statuses[name] = [(await me(server, token)).status, await handshakeClose(server, 'anyone@platform.test', token)];
  assert.deepEqual(statuses, Object.fromEntries(Object.keys(bad).map((name) => [name, [401, 4001]])));
});

it('an open socket whose token expires gets force_disconnect token_expired, then 4001', async (t) => {
  const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
  const people = { mentor: platformUser('MENTOR'), mentee: platformUser('MENTEE') };
  assert.equal((await me(server, await mint(claimsOf(people.mentee), SECRET))).status, 200);
  assert.equal((await me(server, await mint(claimsOf(people.mentor), SECRET))).status, 200);
  await match(await loginAdmin(server.http), { email: people.mentor.email } as Agent, { email: people.mentee.email } as Agent);
  // Minted last, so that its 2 s cover the handshake even on a loaded machine.
  const short = await mint(claimsOf(people.mentee, 2), SECRET);
  const socket = await connectChat(server.ws, people.mentor.email, undefined, { query: `?token=${encodeURIComponent(short)}` });
  const { frame } = await socket.until((f) => f.type === 'force_disconnect');
  assert.deepEqual(frame, { type: 'force_disconnect', reason: 'token_expired' });
  assert.equal((await socket.closedWithin()).code, 4001);
  assert.equal(await handshakeClose(server, people.mentor.email, short), 4001, 'the expired token opens nothing');
});

it('a role change in the token is refused while the user is matched (role_locked, 4001), and takes effect once the match ended', async (t) => {
  const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
  const people = { mentor: platformUser('MENTOR'), mentee: platformUser('MENTEE') };
  const menteeToken = await mint(claimsOf(people.mentee), SECRET);
  assert.equal((await me(server, menteeToken)).status, 200);
  assert.equal((await me(server, await mint(claimsOf(people.mentor), SECRET))).status, 200);
  await match(await loginAdmin(server.http), { email: people.mentor.email } as Agent, { email: people.mentee.email } as Agent);
  const open = await connectChat(server.ws, people.mentor.email, undefined, { query: `?token=${encodeURIComponent(menteeToken)}` });
  const promoted = await mint({ ...claimsOf(people.mentee), role: 'MENTOR' }, SECRET);
  assert.equal(await handshakeClose(server, people.mentor.email, promoted), 4001, 'a matched mentee does not become a MENTOR');
  const refused = await new Agent(server.http).get('/api/me', bearer(promoted));
  assert.deepEqual([refused.status, refused.body.error], [409, 'role_locked']);
  assert.equal((await me(server, menteeToken)).user.role, 'MENTEE', 'she is still the mentee');
  open.send({ type: 'chat_message', content: 'the match and its socket stand' });
  assert.equal((await open.until((f) => f.type === 'chat_message' || f.type === 'error')).frame.type, 'chat_message');
  await open.close();
  const admin = await loginAdmin(server.http);
  assert.equal((await admin.delete(`/api/matches/${encodeURIComponent(people.mentee.email)}`)).status, 204);
  assert.equal((await me(server, promoted)).user.role, 'MENTOR', "unmatched, the platform's role counts");
});

it('a token in a URL never reaches the log', async (t) => {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const server = await startServer(t, { AUTH: 'jwt', JWT_SECRET: SECRET, LOG_LEVEL: 'trace' }, { logStream });
  const people = { mentor: platformUser('MENTOR'), mentee: platformUser('MENTEE') };
  const token = await mint(claimsOf(people.mentee), SECRET);
  const signature = token.split('.')[2]!;
  await new Agent(server.http).get(`/api/me?token=${token}`);
  await new Agent(server.http).get('/api/me', bearer(token));
  await handshakeClose(server, people.mentor.email, token);
  const refused = new TestSocket(chatUrl(server.ws, people.mentor.email, `?after=0&token=${token}`));
  await refused.closedWithin();
  const log = lines.join('');
  assert.ok(log.includes('/api/me?token=[redacted]'), 'the URL is logged, its token redacted');
  assert.ok(log.includes('websocket handshake'), 'the handshakes are logged');
  assert.ok(!log.includes(signature), 'no part of the token is in the log');
});

it('AUTH=local,jwt: both work, and each fails on its own terms', async (t) => {
  const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
  const admin = await loginAdmin(server.http);
  assert.equal((await admin.get('/api/me')).status, 200, 'the local session');
  const user = platformUser('MENTOR');
  assert.equal((await me(server, await mint(claimsOf(user), SECRET))).status, 200, 'the token');
  const stale = new Agent(server.http);
  stale.session = 'not-a-session';
  assert.equal((await stale.get('/api/me')).status, 401, 'an unknown session');
  assert.equal((await me(server, await mint(claimsOf(user), 'another-secret-of-at-least-32-characters!!'))).status, 401, 'a bad token');

  const jwtOnly = await startServer(t, { AUTH: 'jwt', JWT_SECRET: SECRET });
  // A live session in the store (as one made before AUTH changed): with local off it proves nothing.
  const token = newSessionToken();
  const stored = (await jwtOnly.tandem.store.accounts.byEmail(ADMIN.email))!;
  await jwtOnly.tandem.store.sessions.create(hashSessionToken(token), stored.id, new Date(Date.now() + 3_600_000));
  const withSession = new Agent(jwtOnly.http);
  withSession.session = token;
  assert.equal((await withSession.get('/api/me')).status, 401, 'AUTH=jwt: a live session cookie proves nothing');
  assert.equal(await handshakeClose(jwtOnly, 'anyone@platform.test', 'not-a-token'), 4001);
  const login = await new Agent(jwtOnly.http).post('/api/auth/login', { email: ADMIN.email, password: ADMIN.password });
  assert.deepEqual([login.status, login.body.error], [403, 'local_auth_disabled'], 'and Tandem gives out no session');
  const register = await new Agent(jwtOnly.http).post('/api/auth/register', {
    email: 'new@platform.test',
    password: 'long enough pass',
    first_name: 'N',
    last_name: 'U',
    role: 'MENTEE',
  });
  assert.equal(register.body.error, 'local_auth_disabled');
});
