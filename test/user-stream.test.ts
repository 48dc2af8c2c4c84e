/** The event stream's own refusals on one instance: a foreign Origin (HTTP 403) and the per-user socket cap (4029), shared with chat sockets. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startWithPair } from './helpers/pair.js';
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
