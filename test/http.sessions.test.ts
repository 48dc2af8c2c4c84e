/**
 * A user's sessions: the list (GET /api/auth/sessions) and "sign out everywhere"
 * (DELETE /api/auth/sessions), which closes every socket and event stream of every session of
 * the user on every instance — and no one else's. On one instance (SQLite) and on two over
 * PostgreSQL + Redis.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { Agent, loginAdmin, matchedPair } from './helpers/http.js';
import { passwordOf } from './helpers/accounts.js';
import { startServer, type TestServer } from './helpers/server.js';
import { connectChat, connectStream } from './helpers/socket.js';

async function signOutEverywhere(a: TestServer, b: TestServer): Promise<void> {
  const { mentor, mentee } = await matchedPair(await loginAdmin(a.http), a.http);
  const phone = await new Agent(b.http).login(mentee.email, passwordOf(mentee.email));

  const listed = await mentee.get('/api/auth/sessions');
  assert.equal(listed.status, 200);
  assert.equal(listed.body.sessions.length, 2, 'the laptop and the phone');
  assert.deepEqual(listed.body.sessions.map((s: { current: boolean }) => s.current).sort(), [false, true]);
  const token = mentee.session!;
  for (const session of listed.body.sessions) {
    assert.match(session.id, /^[\w-]{22}$/);
    assert.ok(!token.includes(session.id), 'an id is no part of a token');
    assert.ok(new Date(session.expires_at) > new Date(session.created_at));
  }
  assert.equal((await mentor.get('/api/auth/sessions')).body.sessions.length, 1, 'each user sees their own');

  const sockets = [
    await connectChat(a.ws, mentor.email, mentee.cookie),
    await connectChat(b.ws, mentor.email, phone.cookie),
    await connectStream(b.ws, mentee.cookie),
    await connectStream(a.ws, phone.cookie),
  ];
  const mentorSocket = await connectChat(b.ws, mentee.email, mentor.cookie);
  // The phone's cookie is cleared by the answer; a copy shows that the session itself ended.
  const phoneCopy = new Agent(a.http);
  phoneCopy.session = phone.session;
  assert.equal((await phone.delete('/api/auth/sessions')).status, 204);
  for (const socket of sockets) {
    assert.deepEqual((await socket.until((f) => f.type === 'force_disconnect')).frame, { type: 'force_disconnect', reason: 'logged_out' });
    assert.equal((await socket.closedWithin()).code, 1000);
  }
  for (const agent of [mentee, phoneCopy]) assert.equal((await agent.get('/api/me')).status, 401, 'every session of the user ended');
  assert.deepEqual((await mentee.get('/api/auth/sessions')).status, 401);
  // The partner is untouched: their socket and session work on.
  assert.equal((await mentor.get('/api/me')).status, 200);
  const fresh = await new Agent(a.http).login(mentee.email, passwordOf(mentee.email));
  const again = await connectChat(a.ws, mentor.email, fresh.cookie);
  again.send({ type: 'chat_message', content: 'signed in again' });
  assert.equal((await mentorSocket.until((f) => f.type === 'chat_message')).frame.content, 'signed in again');
  await Promise.all([again.close(), mentorSocket.close()]);
}

describe('sessions (one instance, SQLite)', () => {
  it('refuses the list and the sign-out to a caller who is not signed in', async (t) => {
    const server = await startServer(t);
    assert.equal((await new Agent(server.http).get('/api/auth/sessions')).status, 401);
    assert.equal((await new Agent(server.http).delete('/api/auth/sessions')).status, 401);
  });

  it('lists the sessions and signs out everywhere', async (t) => {
    const server = await startServer(t);
    await signOutEverywhere(server, server);
  });
});

withBackends('sessions (two instances, PostgreSQL, Redis)', { postgres: true, redis: true }, () => {
  it('signs out everywhere across instances', async (t) => {
    const [a, b] = (await startInstances(t, 2)) as [TestServer, TestServer];
    await signOutEverywhere(a, b);
  });
});
