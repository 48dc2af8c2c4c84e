/**
 * The event stream's own refusals on one instance: a foreign Origin (HTTP 403), the per-user
 * socket cap (4029, shared with chat sockets), and tokens (AUTH=jwt) bad or expiring.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startWithPair } from './helpers/pair.js';
import { claimsOf, mint, platformUser } from './helpers/platform.js';
import { startServer } from './helpers/server.js';
import { connectChat, connectStream, TestSocket } from './helpers/socket.js';

it('refuses a foreign Origin with 403, and a socket past WS_MAX_CONNECTIONS_PER_USER with 4029, chat sockets counted', async (t) => {
  const { server, mentor, mentee } = await startWithPair(t, { WS_MAX_CONNECTIONS_PER_USER: '2' });
  const foreign = new TestSocket(`${server.ws}/ws/me/`, { cookie: mentee.cookie, origin: 'https://evil.example' });
  await assert.rejects(foreign.opened, /HTTP 403/);

  const chat = await connectChat(server.ws, mentor.email, mentee.cookie);
  const stream = await connectStream(server.ws, mentee.cookie);
  const third = new TestSocket(`${server.ws}/ws/me/`, { cookie: mentee.cookie });
  assert.equal((await third.closedWithin()).code, 4029);
  await Promise.all([stream.close(), chat.close()]);
});

it('with AUTH=jwt a stream opens with ?token=, a bad token gets 4001, and an expiring one force_disconnect token_expired then 4001', async (t) => {
  const secret = 'a-platform-secret-of-at-least-32-characters';
  const server = await startServer(t, { AUTH: 'local,jwt', JWT_SECRET: secret });
  const person = platformUser('MENTEE');
  const bad = new TestSocket(`${server.ws}/ws/me/?token=not-a-token`);
  assert.equal((await bad.closedWithin()).code, 4001);
  const short = await mint(claimsOf(person, 2), secret);
  const stream = new TestSocket(`${server.ws}/ws/me/?token=${encodeURIComponent(short)}`);
  assert.equal((await stream.next()).type, 'connection_established');
  assert.deepEqual((await stream.until((f) => f.type === 'force_disconnect')).frame, { type: 'force_disconnect', reason: 'token_expired' });
  assert.equal((await stream.closedWithin()).code, 4001);
});
