/**
 * Starting and stopping while PostgreSQL is away: Tandem starts against a stopped database
 * (serving, not ready, until it is back), and SIGTERM with a hung database exits within
 * SHUTDOWN_TIMEOUT_MS. Child processes, private clusters; durations are reported only.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { privatePostgres, withBackends } from './helpers/backends.js';
import { startChild } from './helpers/child.js';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { connectChat, TestSocket, chatUrl } from './helpers/socket.js';
import { readiness, until } from './helpers/wait.js';
import { ADMIN } from './helpers/accounts.js';

withBackends('PostgreSQL at start and stop', { postgres: true }, () => {
  it('starts while PostgreSQL is down: not ready, 503 and close 1011, then serves once it is back', async (t) => {
    const cluster = await privatePostgres();
    t.after(() => cluster.destroy());
    await cluster.stop();
    const server = await startChild(t, { DATABASE_URL: cluster.url });

    assert.equal((await fetch(`${server.http}/healthz`)).status, 200);
    const ready = await fetch(`${server.http}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [503, { status: 'unavailable', store: 'unavailable', layer: 'ok' }]);
    const login = await fetch(`${server.http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ADMIN),
    });
    assert.deepEqual([login.status, ((await login.json()) as { error: string }).error], [503, 'unavailable']);
    const socket = new TestSocket(chatUrl(server.ws, 'someone@example.test'), { cookie: 'sessionid=anything' });
    assert.equal((await socket.closedWithin()).code, 1011, 'a handshake that needs the store is told to come back');

    await cluster.start();
    const started = performance.now();
    await readiness(server.http, 200);
    t.diagnostic(`ready ${Math.round(performance.now() - started)} ms after PostgreSQL started`);
    // The admin is created in the background once the database answers.
    let admin: Awaited<ReturnType<typeof loginAdmin>> | undefined;
    await until('the admin to sign in', async () => {
      admin = await loginAdmin(server.http).catch(() => undefined);
      return admin !== undefined;
    });
    const { mentor, mentee } = await matchedPair(admin!);
    const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
    menteeSocket.send({ type: 'chat_message', content: 'hello', client_id: 'hello' });
    assert.equal((await menteeSocket.expect('chat_message')).seq, 1);
    assert.ok(server.running(), server.output());
  });

  it('SIGTERM with PostgreSQL hung and messages in flight exits within SHUTDOWN_TIMEOUT_MS', async (t) => {
    const cluster = await privatePostgres();
    t.after(() => cluster.destroy());
    const server = await startChild(t, {
      DATABASE_URL: cluster.url,
      SHUTDOWN_TIMEOUT_MS: '1500',
      STORE_TIMEOUT_MS: '60000', // the drain itself must stall, so that only the shutdown bound ends it
    });
    const admin = await loginAdmin(server.http);
    const { mentor, mentee } = await matchedPair(admin);
    const menteeSocket = await connectChat(server.ws, mentor.email, mentee.cookie);
    const mentorSocket = await connectChat(server.ws, mentee.email, mentor.cookie);
    menteeSocket.send({ type: 'chat_message', content: 'before', client_id: 'before' });
    await until('the echo', () => menteeSocket.frames.some((frame) => frame.type === 'chat_message'));

    await cluster.pause();
    for (let i = 0; i < 20; i++) menteeSocket.send({ type: 'chat_message', content: `stuck ${i}`, client_id: `stuck${i}` });
    // A connection's frames are taken in order: once the typing frame reached the partner,
    // the messages before it are waiting on the store.
    menteeSocket.send({ type: 'typing', is_typing: true });
    await until('the messages to be in flight', () => mentorSocket.frames.some((frame) => frame.type === 'typing'));
    const signalled = performance.now();
    server.child.kill('SIGTERM');
    await until('the process to exit', () => !server.running(), 30_000);
    const [code, signal] = await server.exited;
    t.diagnostic(`exited ${Math.round(performance.now() - signalled)} ms after SIGTERM (SHUTDOWN_TIMEOUT_MS=1500), code ${code}`);
    assert.equal(signal, null, server.output());
    assert.equal(code, 1, 'a drain cut short exits 1');
    assert.match(server.output(), /shutdown did not finish in time/);
  });
});
