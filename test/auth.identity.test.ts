/**
 * An identity stays bound to what proved it (PROTOCOL.md Part 5, docs/security.md, "Identities from the
 * platform"): a password someone registered for a platform user's address never reaches that
 * user (jwt, proxy, the server API); platform identities are keyed by the platform's id
 * (`iss`+`sub`, the proxy's `id`), so tokens whose address only looks like hers (case, the
 * Kelvin sign, a BOM, U+2028, a decomposed letter) never read her conversation; a matched
 * user's role is kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, person } from './helpers/http.js';
import { claimsOf, mint, Platform, platformUser, type PlatformUser } from './helpers/platform.js';
import { startServer, type Hooks, type TestServer } from './helpers/server.js';
import { chatUrl, connectStream, TestSocket } from './helpers/socket.js';

const SECRET = 'a-platform-secret-of-at-least-32-characters';
const KEY = 'matching-secret-0123456789';
const enc = encodeURIComponent;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const api = (server: TestServer) => {
  const agent = new Agent(server.http);
  return {
    get: (path: string) => agent.get(path, bearer(KEY)),
    put: (path: string, body: unknown) => agent.request('PUT', path, body, bearer(KEY)),
  };
};

async function me(server: TestServer, headers: Record<string, string>) {
  const reply = await new Agent(server.http).get('/api/me', headers);
  return { status: reply.status, email: reply.body?.user?.email, error: reply.body?.error };
}

/** The close code of a chat handshake with `?token=`. */
async function handshakeClose(server: TestServer, partner: string, token: string): Promise<number> {
  return (await new TestSocket(chatUrl(server.ws, partner, `?token=${enc(token)}`)).closedWithin()).code;
}

/** A squatter registers `email` and signs in with a password; their event stream is open. */
async function squat(server: TestServer, email: string) {
  const body = person({ email });
  assert.equal((await new Agent(server.http).post('/api/auth/register', body)).status, 201);
  const agent = await new Agent(server.http).login(email, body.password);
  const stream = await connectStream(server.ws, agent.cookie);
  return { agent, stream, password: body.password };
}

/** Once the platform vouched for the address: the squatter's socket closed, session gone, password dead, address taken. */
async function assertLockedOut(server: TestServer, squatter: Awaited<ReturnType<typeof squat>>, email: string): Promise<void> {
  assert.deepEqual((await squatter.stream.until((f) => f.type === 'force_disconnect')).frame, { type: 'force_disconnect', reason: 'logged_out' });
  await squatter.stream.closedWithin();
  assert.equal((await squatter.agent.get('/api/me')).status, 401, "the squatter's session ended");
  assert.equal((await new Agent(server.http).post('/api/auth/login', { email, password: squatter.password })).status, 401, 'the password opens nothing');
  assert.equal((await new Agent(server.http).post('/api/auth/register', person({ email: email.toUpperCase() }))).body.error, 'email_taken');
}

async function withPlatform(t: Hooks, env: Record<string, string> = {}) {
  const platform = await Platform.start(t);
  const server = await startServer(t, { AUTH: 'local,proxy', AUTH_PROXY_URL: `${platform.url}/whoami`, ...env });
  return { platform, server };
}

describe("a password registered for a platform user's address never reaches them", () => {
  it('AUTH=local,jwt (registration open): her first token takes the account back', async (t) => {
    const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
    const kate = platformUser('MENTEE', 'Kate');
    const squatter = await squat(server, kate.email);
    assert.deepEqual(await me(server, bearer(await mint(claimsOf(kate), SECRET))), { status: 200, email: kate.email, error: undefined });
    await assertLockedOut(server, squatter, kate.email);
  });

  it("AUTH=local,proxy: the platform's answer takes the account back", async (t) => {
    const { platform, server } = await withPlatform(t);
    const kate: PlatformUser = { ...platformUser('MENTEE', 'Kate'), id: 501 };
    const squatter = await squat(server, kate.email);
    assert.equal((await me(server, { cookie: platform.signIn(kate) })).status, 200);
    await assertLockedOut(server, squatter, kate.email);
  });

  it("PUT /api/users (the platform's sync) takes the account back before she ever signs in", async (t) => {
    const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: SECRET, API_KEYS: `matching:${KEY}` });
    const kate = platformUser('MENTEE', 'Kate');
    const squatter = await squat(server, kate.email);
    const synced = await api(server).put(`/api/users/${enc(kate.email)}`, { first_name: 'Kate', last_name: 'Doe', role: 'MENTEE' });
    assert.equal(synced.status, 200);
    await assertLockedOut(server, squatter, kate.email);
  });
});

withBackends('on two instances (PostgreSQL + Redis)', { postgres: true, redis: true }, () => {
  it("her token on one instance; the squatter's socket on the other is closed", async (t) => {
    const [one, two] = await startInstances(t, 2, { AUTH: 'local,jwt', JWT_SECRET: SECRET });
    const kate = platformUser('MENTEE', 'Kate');
    const squatter = await squat(two!, kate.email);
    assert.deepEqual(await me(one!, bearer(await mint(claimsOf(kate), SECRET))), { status: 200, email: kate.email, error: undefined });
    await assertLockedOut(two!, squatter, kate.email);
  });
});

describe('platform identities never merge', () => {
  it('AUTH=jwt: subjects that differ from hers in case, a Kelvin sign, a BOM or U+2028 never read her conversation', async (t) => {
    const server = await startServer(t, { AUTH: 'jwt', JWT_SECRET: SECRET, API_KEYS: `matching:${KEY}` });
    const kate: PlatformUser = { email: `kate.doe.${process.pid}@platform.test`, first_name: 'Kate', last_name: 'Doe', role: 'MENTEE' };
    const mentor = platformUser('MENTOR');
    const kateToken = await mint(claimsOf(kate), SECRET);
    assert.equal((await me(server, bearer(kateToken))).status, 200);
    assert.equal((await me(server, bearer(await mint(claimsOf(mentor), SECRET)))).status, 200);
    assert.equal((await api(server).put(`/api/matches/${enc(kate.email)}`, { mentor_email: mentor.email })).status, 201);
    const history = `/api/chat/${enc(mentor.email)}/messages`;
    assert.equal((await new Agent(server.http).get(history, bearer(kateToken))).status, 200);
    const lookalikes: Array<[string, number, string | undefined]> = [
      [`Kate.doe.${process.pid}@platform.test`, 409, 'identity_conflict'],
      [`\u212Aate.doe.${process.pid}@platform.test`, 409, 'identity_conflict'],
      [`\uFEFFkate.doe.${process.pid}@platform.test`, 401, 'unauthenticated'],
      [`kate.doe.${process.pid}@platform.test\u2028`, 401, 'unauthenticated'],
    ];
    for (const [sub, status, error] of lookalikes) {
      const token = await mint({ ...claimsOf(kate), sub }, SECRET);
      const reply = await new Agent(server.http).get(history, bearer(token));
      assert.deepEqual([reply.status, reply.body.error, reply.body.messages], [status, error, undefined], JSON.stringify(sub));
      assert.equal(await handshakeClose(server, mentor.email, token), 4001, JSON.stringify(sub));
    }
    // Her own subject with her address written another way is still her: the email is an attribute.
    const same = await me(server, bearer(await mint({ ...claimsOf(kate), email: kate.email.toUpperCase() }, SECRET)));
    assert.deepEqual([same.status, same.email], [200, kate.email]);
  });

  it('composed and decomposed åsa are one address: the second subject is refused, the directory shows one account', async (t) => {
    const server = await startServer(t, { AUTH: 'jwt', JWT_SECRET: SECRET, API_KEYS: `matching:${KEY}` });
    const composed = `\u00E5sa.${process.pid}@platform.test`;
    const asa = (email: string): PlatformUser => ({ email, first_name: 'Åsa', last_name: 'Berg', role: 'MENTEE' });
    assert.deepEqual(await me(server, bearer(await mint(claimsOf(asa(composed)), SECRET))), { status: 200, email: composed, error: undefined });
    const second = await me(server, bearer(await mint(claimsOf(asa(composed.normalize('NFD'))), SECRET)));
    assert.deepEqual([second.status, second.error], [409, 'identity_conflict']);
    const found = (await api(server).get(`/api/users?q=${enc(`sa.${process.pid}@`)}`)).body.users;
    assert.deepEqual(
      found.map((u: { email: string }) => u.email),
      [composed],
    );
    // The match routes take the address by the same rule, written either way.
    const jurgen: PlatformUser = { email: `j\u00FCrgen.${process.pid}@platform.test`, first_name: 'Jürgen', last_name: 'Roth', role: 'MENTOR' };
    assert.equal((await me(server, bearer(await mint(claimsOf(jurgen), SECRET)))).status, 200);
    const matched = await api(server).put(`/api/matches/${enc(composed.normalize('NFD'))}`, { mentor_email: jurgen.email.toUpperCase().normalize('NFD') });
    assert.deepEqual([matched.status, matched.body.mentee?.email, matched.body.mentor?.email], [201, composed, jurgen.email]);
  });

  it("the proxy's id keys the person: another id with her address is refused, her id keeps her account when the address changes", async (t) => {
    const { platform, server } = await withPlatform(t);
    const kate: PlatformUser = { ...platformUser('MENTEE', 'Kate'), id: 7001 };
    assert.equal((await me(server, { cookie: platform.signIn(kate) })).status, 200);
    const other = await me(server, { cookie: platform.signIn({ ...kate, id: 7002, email: kate.email.toUpperCase() }) });
    assert.deepEqual([other.status, other.error], [409, 'identity_conflict']);
    const moved = await me(server, { cookie: platform.signIn({ ...kate, email: `moved.${kate.email}` }) });
    assert.deepEqual([moved.status, moved.email], [200, `moved.${kate.email}`]);
  });
});

describe('what no rule accepts is refused on every path', () => {
  it('a subject or an address with invisible or control characters: 401 from a token, 400 from the server API', async (t) => {
    const server = await startServer(t, { AUTH: 'jwt', JWT_SECRET: SECRET, API_KEYS: `matching:${KEY}` });
    const kate = platformUser('MENTEE', 'Kate');
    for (const claims of [
      { sub: `kate\u0000${process.pid}`, email: kate.email },
      { sub: 'x'.repeat(256), email: kate.email },
      { sub: `ka\u200Bte@platform.test` },
    ]) {
      const reply = await me(server, bearer(await mint({ ...claimsOf(kate), ...claims }, SECRET)));
      assert.equal(reply.status, 401, JSON.stringify(claims));
    }
    for (const email of [`\uFEFF${kate.email}`, `${kate.email}\u2028`, `\uFF4B${kate.email}`, 'no-at-sign']) {
      const reply = await api(server).put(`/api/users/${enc(email)}`, { first_name: 'Kate', last_name: 'Doe', role: 'MENTEE' });
      assert.deepEqual([reply.status, reply.body.error], [400, 'invalid_request'], JSON.stringify(email));
    }
    assert.equal((await api(server).get('/api/users')).body.users.filter((u: { role: string }) => u.role === 'MENTEE').length, 0, 'nobody was made');
  });
});

describe("a matched user's role is kept", () => {
  it('AUTH=proxy: an answer that would make a matched mentee a MENTOR is refused (409 role_locked, socket 4001)', async (t) => {
    const { platform, server } = await withPlatform(t, { API_KEYS: `matching:${KEY}` });
    const [mentor, mentee] = [
      { ...platformUser('MENTOR'), id: 'm-1' },
      { ...platformUser('MENTEE'), id: 's-1' },
    ];
    for (const user of [mentor, mentee]) assert.equal((await me(server, { cookie: platform.signIn(user) })).status, 200);
    assert.equal((await api(server).put(`/api/matches/${enc(mentee.email)}`, { mentor_email: mentor.email })).status, 201);
    const promoted = platform.signIn({ ...mentee, role: 'MENTOR' });
    assert.deepEqual(await me(server, { cookie: promoted }), { status: 409, email: undefined, error: 'role_locked' });
    assert.equal((await new TestSocket(chatUrl(server.ws, mentor.email), { cookie: promoted }).closedWithin()).code, 4001);
  });

  it('PUT /api/users: 409 role_locked for a matched mentee made MENTOR (her email in upper case); the match stays', async (t) => {
    const server = await startServer(t, { API_KEYS: `matching:${KEY}` });
    const [mentor, mentee] = [platformUser('MENTOR'), platformUser('MENTEE')];
    for (const user of [mentor, mentee]) {
      assert.equal(
        (await api(server).put(`/api/users/${enc(user.email)}`, { first_name: user.first_name, last_name: user.last_name, role: user.role })).status,
        201,
      );
    }
    assert.equal((await api(server).put(`/api/matches/${enc(mentee.email)}`, { mentor_email: mentor.email })).status, 201);
    const promoted = await api(server).put(`/api/users/${enc(mentee.email.toUpperCase())}`, { first_name: 'Sam', last_name: 'X', role: 'MENTOR' });
    assert.deepEqual([promoted.status, promoted.body.error], [409, 'role_locked']);
    const matches = (await api(server).get('/api/matches')).body.matches;
    assert.deepEqual(
      matches.map((m: any) => [m.mentor.email, m.mentee.email, m.mentee.role]),
      [[mentor.email, mentee.email, 'MENTEE']],
    );
  });
});
