/**
 * Backends going away: a killed Redis subscriber connection loses nothing; Redis or
 * PostgreSQL stopped gives error frames and 503, and Tandem recovers by itself when they
 * return. Stopped servers are private ones made for the test, never the shared services.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisLayer } from '../src/layer/redis.js';
import { ErrorText } from '../src/protocol/frames.js';
import { freePort, killClients, privatePostgres, startRedis, stopRedis, testRedisUrl, withBackends } from './helpers/backends.js';
import { startInstances } from './helpers/cluster.js';
import { connectedPair, startWithConnectedPair } from './helpers/pair.js';
import type { TestServer } from './helpers/server.js';
import { chatWith, type Frame, type TestSocket } from './helpers/socket.js';
import { readiness, until } from './helpers/wait.js';

/** This file sends bursts on purpose: per-connection rate limits are tested in limits.test.ts. */
const UNLIMITED = { WS_RATE_PER_SECOND: '1000000', WS_RATE_BURST: '1000000', WS_USER_RATE_PER_SECOND: '1000000', WS_USER_RATE_BURST: '1000000' };

/**
 * Sends `contents` with client ids as a careful client does: a message refused as
 * `unavailable` is sent again with the same client id until it is echoed. Only the first
 * `firstBatch` go out at once; when `pauseAt` echoes have arrived, `action` runs and the
 * rest follow. Resolves with the echoes in arrival order.
 */
async function sendReliably(
  socket: TestSocket,
  contents: string[],
  plan: { firstBatch: number; pauseAt: number; action: () => Promise<void> },
): Promise<Frame[]> {
  const echoes: Frame[] = [];
  const pending = new Set(contents.map((_, i) => `c${i}`));
  const send = (i: number) => socket.send({ type: 'chat_message', content: contents[i], client_id: `c${i}` });
  for (let i = 0; i < plan.firstBatch; i++) send(i);
  while (pending.size > 0) {
    const frame = await socket.next();
    if (frame.type === 'chat_message' && frame.client_id && pending.delete(frame.client_id)) {
      echoes.push(frame);
      if (echoes.length === plan.pauseAt) {
        await plan.action();
        for (let i = plan.firstBatch; i < contents.length; i++) send(i);
      }
    } else if (frame.type === 'error') {
      assert.equal(frame.code, 'unavailable', JSON.stringify(frame));
      const index = Number(String(frame.client_id).slice(1));
      setTimeout(() => send(index), 50);
    }
  }
  return echoes;
}

withBackends('outages', { postgres: true, redis: true }, () => {
  it('delivers every message once and in order when the receiving instance loses its Redis subscriber mid-stream', async (t) => {
    const [a, b] = (await startInstances(t, 2, UNLIMITED)) as [TestServer, TestServer];
    const { menteeSocket, mentorSocket } = await connectedPair(a, b);
    const redis = new Redis(testRedisUrl!);
    t.after(() => redis.quit());

    const contents = Array.from({ length: 300 }, (_, i) => `message ${i}`);
    let killed = 0;
    // Half the messages are in flight when the mentor's instance loses its subscriber; the
    // other half is published while it reconnects, so it misses events and must catch up.
    const echoes = await sendReliably(menteeSocket, contents, {
      firstBatch: 150,
      pauseAt: 50,
      action: async () => {
        killed = await killClients(redis, (b.tandem.layer as RedisLayer).connectionNames.sub);
      },
    });
    assert.equal(killed, 1, "the mentor's instance lost its subscriber connection");

    assert.deepEqual(
      echoes.map((f) => f.seq),
      contents.map((_, i) => i + 1),
    );
    const received: Frame[] = [];
    for (let i = 0; i < contents.length; i++) received.push(await mentorSocket.expect('chat_message'));
    assert.deepEqual(
      received.map((f) => f.seq),
      contents.map((_, i) => i + 1),
    );
    assert.deepEqual(new Set(received.map((f) => f.content)), new Set(contents));
    assert.deepEqual(
      received.map((f) => f.message_id),
      echoes.map((f) => f.message_id),
    );
    // And nothing more: a later marker is the mentor's next frame.
    menteeSocket.send({ type: 'chat_message', content: 'marker' });
    await mentorSocket.nothingBefore(chatWith('marker'));
  });

  it('answers error frames and 503 while Redis is stopped, then recovers by itself', async (t) => {
    const port = await freePort();
    let redis = await startRedis(port);
    t.after(() => stopRedis(redis));
    const [a, b] = (await startInstances(t, 2, { REDIS_URL: `redis://127.0.0.1:${port}` })) as [TestServer, TestServer];
    const { menteeSocket, mentorSocket } = await connectedPair(a, b);
    menteeSocket.send({ type: 'chat_message', content: 'before', client_id: 'before' });
    assert.equal((await mentorSocket.expect('chat_message')).seq, 1);
    await menteeSocket.expect('chat_message');

    await stopRedis(redis);
    await readiness(a.http, 503);
    await readiness(b.http, 503);
    const ready = await (await fetch(`${a.http}/readyz`)).json();
    assert.deepEqual(ready, { status: 'unavailable', store: 'ok', layer: 'unavailable' });
    menteeSocket.send({ type: 'chat_message', content: 'during', client_id: 'during' });
    assert.deepEqual(await menteeSocket.next(), { type: 'error', message: ErrorText.unavailable, code: 'unavailable', client_id: 'during' });
    const pair = (await a.tandem.store.matches.list())[0]!;
    assert.equal((await a.tandem.store.matches.pairById(pair.pairId))?.lastSeq, 1, 'nothing was stored');

    redis = await startRedis(port);
    await readiness(a.http, 200);
    await readiness(b.http, 200);
    menteeSocket.send({ type: 'chat_message', content: 'during', client_id: 'during' });
    const echo = await menteeSocket.expect('chat_message');
    assert.equal(echo.seq, 2);
    assert.deepEqual(await mentorSocket.expect('chat_message'), echo);
  });

  it('answers error frames and 503 while PostgreSQL is stopped, then recovers by itself', async (t) => {
    const cluster = await privatePostgres();
    t.after(() => cluster.destroy());
    const { server, mentee, menteeSocket, mentorSocket } = await startWithConnectedPair(t, { DATABASE_URL: cluster.url });
    menteeSocket.send({ type: 'chat_message', content: 'before', client_id: 'before' });
    assert.equal((await mentorSocket.expect('chat_message')).seq, 1);
    await menteeSocket.expect('chat_message');

    await cluster.stop();
    await readiness(server.http, 503);
    assert.deepEqual(await (await fetch(`${server.http}/readyz`)).json(), { status: 'unavailable', store: 'unavailable', layer: 'ok' });
    const listed = await mentee.get('/api/chat/conversations');
    assert.deepEqual([listed.status, listed.body.error], [503, 'unavailable']);
    menteeSocket.send({ type: 'chat_message', content: 'during', client_id: 'during' });
    assert.deepEqual(await menteeSocket.next(), { type: 'error', message: ErrorText.unavailable, code: 'unavailable', client_id: 'during' });

    await cluster.start();
    await readiness(server.http, 200);
    await until('a retried message to be stored', async () => {
      menteeSocket.send({ type: 'chat_message', content: 'during', client_id: 'during' });
      const frame = await menteeSocket.next();
      return frame.type === 'chat_message';
    });
    const received = await mentorSocket.expect('chat_message');
    assert.equal(received.seq, 2);
    assert.equal(received.content, 'during');
  });
});
