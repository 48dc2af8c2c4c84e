/**
 * AUTH=proxy (PROTOCOL.md Part 5): a seed-style front end that knows nothing of Tandem — a
 * plain `ws` socket with the platform's own `Cookie: sessionid=…` — chats end to end; Tandem
 * asks the platform once per credential and reuses the answer; a platform that fails or hangs
 * gives 503 / 1011 and never access; a refusal is kept briefly for the same credentials.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import WebSocket from 'ws';
import { Agent, loginAdmin, match } from './helpers/http.js';
import { Platform, platformUser } from './helpers/platform.js';
import { startServer, type TestServer } from './helpers/server.js';
import { chatUrl, TestSocket } from './helpers/socket.js';

async function proxied(t: Parameters<typeof startServer>[0], env: Record<string, string> = {}) {
  const platform = await Platform.start(t);
  const server = await startServer(t, { AUTH: 'local,proxy', AUTH_PROXY_URL: `${platform.url}/whoami`, ...env });
  return { platform, server };
}

const asCookie = (server: TestServer, cookie: string) => {
  const agent = new Agent(server.http);
  return { get: (path: string) => agent.get(path, { cookie }), post: (path: string, body?: unknown) => agent.post(path, body, { cookie }) };
};

/** The seed's client: a bare `ws` socket with the platform's cookie, reading frames as they come. */
function seedClient(server: TestServer, partner: string, cookie: string): TestSocket {
  return new TestSocket(chatUrl(server.ws, partner), { cookie });
}

it("the seed's flow end to end with only the platform's cookie", async (t) => {
  const { platform, server } = await proxied(t);
  const mentor = platformUser('MENTOR');
  const mentee = platformUser('MENTEE');
  const mentorCookie = platform.signIn(mentor);
  const menteeCookie = platform.signIn(mentee);
  // First sight creates the users from the platform's answer.
  assert.deepEqual((await asCookie(server, menteeCookie).get('/api/me')).body, {
    user: { email: mentee.email, first_name: mentee.first_name, last_name: mentee.last_name, role: 'MENTEE' },
    partners: [],
    conversation_policy: 'private',
  });
  assert.equal((await asCookie(server, mentorCookie).get('/api/me')).status, 200);
  await match(await loginAdmin(server.http), { email: mentor.email } as Agent, { email: mentee.email } as Agent);

  const menteeSocket = seedClient(server, mentor.email, menteeCookie);
  assert.deepEqual(await menteeSocket.next(), { type: 'connection_established', message: 'Connected to chat', partner_online: false });
  const mentorSocket = seedClient(server, mentee.email, mentorCookie);
  assert.equal((await mentorSocket.next()).type, 'connection_established');
  menteeSocket.send({ type: 'chat_message', content: 'Hello from the platform' });
  const echo = await menteeSocket.until((frame) => frame.type === 'chat_message');
  const received = await mentorSocket.until((frame) => frame.type === 'chat_message');
  assert.equal(received.frame.content, 'Hello from the platform');
  assert.equal(received.frame.sender_name, `${mentee.first_name} ${mentee.last_name}`);
  assert.equal(echo.frame.message_id, received.frame.message_id);
  mentorSocket.send({ type: 'mark_read' });
  assert.equal((await menteeSocket.until((frame) => frame.type === 'read_receipt')).frame.reader_email, mentor.email);
  const conversations = (await asCookie(server, mentorCookie).get('/api/chat/conversations')).body.conversations;
  assert.equal(conversations[0].last_message.content, 'Hello from the platform');

  // A cookie the platform does not know opens nothing.
  const refused = seedClient(server, mentor.email, 'sessionid=unknown-to-the-platform');
  assert.equal((await refused.closedWithin()).code, 4001);
  await menteeSocket.close();
  await mentorSocket.close();
});

it('a cached answer does not call the platform again; a role change shows at the next handshake', async (t) => {
  const { platform, server } = await proxied(t, { AUTH_PROXY_CACHE_SECONDS: '0' });
  const user = platformUser('MENTEE');
  const cookie = platform.signIn(user);
  assert.equal((await asCookie(server, cookie).get('/api/me')).body.user.role, 'MENTEE');
  user.role = 'MENTOR';
  assert.equal((await asCookie(server, cookie).get('/api/me')).body.user.role, 'MENTOR', 'with no cache, every request asks');
  assert.equal(platform.calls.whoami, 2);

  const cached = await proxied(t);
  const other = platformUser('MENTEE');
  const otherCookie = cached.platform.signIn(other);
  for (let i = 0; i < 3; i++) assert.equal((await asCookie(cached.server, otherCookie).get('/api/me')).status, 200);
  await Promise.all([1, 2, 3].map(() => asCookie(cached.server, otherCookie).get('/api/matches')));
  const socket = seedClient(cached.server, 'nobody@platform.test', otherCookie);
  assert.equal((await socket.closedWithin()).code, 4003, 'authenticated, not matched');
  assert.equal(cached.platform.calls.whoami, 1, 'seven requests and a handshake, one call');
});

it('a 401 from the platform is kept briefly for that cookie; signing in (a new cookie) is asked at once', async (t) => {
  const { platform, server } = await proxied(t);
  const user = platformUser('MENTOR');
  const cookie = 'sessionid=not-signed-in';
  assert.equal((await asCookie(server, cookie).get('/api/me')).status, 401);
  assert.equal((await asCookie(server, cookie).get('/api/me')).status, 401);
  assert.equal(platform.calls.whoami, 1, 'the refusal was kept: one call for two requests');
  // The platform gives a session a new cookie when it signs in (Django cycles the key).
  const signedIn = platform.signIn(user);
  assert.equal((await asCookie(server, signedIn).get('/api/me')).status, 200, 'the new cookie, signed in');
  assert.equal(platform.calls.whoami, 2);
  assert.equal((await new Agent(server.http).get('/api/me')).status, 401, 'no credentials at all');
  assert.equal(platform.calls.whoami, 2, 'and then the platform is not asked');
});

for (const mode of ['down', 'hang'] as const) {
  it(`a platform that is ${mode === 'down' ? 'failing' : 'too slow'}: 503 and close 1011, never access`, async (t) => {
    const { platform, server } = await proxied(t, { AUTH_PROXY_TIMEOUT_MS: '200' });
    const user = platformUser('MENTEE');
    const cookie = platform.signIn(user);
    platform.mode = mode;
    const reply = await asCookie(server, cookie).get('/api/me');
    assert.equal(reply.status, 503);
    assert.equal(reply.body.error, 'unavailable');
    assert.equal((await seedClient(server, 'anyone@platform.test', cookie).closedWithin()).code, 1011);
    platform.mode = 'ok';
    assert.equal((await asCookie(server, cookie).get('/api/me')).status, 200, 'the platform is back');
  });
}

it("a plain ws handshake with the platform's cookie among others is identified by the platform", async (t) => {
  const { platform, server } = await proxied(t);
  const user = platformUser('MENTOR');
  const cookie = platform.signIn(user);
  const ws = new WebSocket(chatUrl(server.ws, 'nobody@platform.test'), { headers: { cookie: `csrftoken=abc; ${cookie}` } });
  const code = await new Promise<number>((resolve) => ws.once('close', (closed) => resolve(closed)));
  assert.equal(code, 4003, 'known to the platform, matched with nobody');
  assert.equal(platform.calls.whoami, 1);
});

it('neither the forwarded cookie nor an API key reaches the log, even at trace', async (t) => {
  const lines: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const platform = await Platform.start(t);
  const key = 'logged-never-api-key-0123456789';
  const server = await startServer(
    t,
    { AUTH: 'proxy', AUTH_PROXY_URL: `${platform.url}/whoami`, API_KEYS: `platform:${key}`, LOG_LEVEL: 'trace' },
    { logStream },
  );
  const cookie = platform.signIn(platformUser('MENTOR'));
  assert.equal((await asCookie(server, cookie).get('/api/me')).status, 200);
  await seedClient(server, 'nobody@platform.test', cookie).closedWithin();
  assert.equal((await new Agent(server.http).get('/api/matches', { authorization: `Bearer ${key}` })).status, 200);
  // A bearer that is no key may be the platform's own credential: the platform is asked, and says nobody.
  assert.equal((await new Agent(server.http).get('/api/matches', { authorization: 'Bearer wrong-key-that-is-long-enough' })).status, 401);
  platform.mode = 'down';
  assert.equal((await asCookie(server, 'sessionid=another-platform-session-77').get('/api/me')).status, 503);
  const log = lines.join('');
  assert.ok(log.includes('the identity proxy failed'), 'the failure is logged');
  for (const secret of [cookie.split('=')[1]!, 'another-platform-session-77', key, 'wrong-key-that-is-long-enough']) {
    assert.ok(!log.includes(secret), `${secret.slice(0, 12)}… is not in the log`);
  }
});
