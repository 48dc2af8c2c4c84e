/**
 * The event stream when the channel layer loses its connection: events published meanwhile
 * may be gone, so every stream is closed with 1011 (resume) and its client re-reads. One
 * instance on Redis; the subscriber connection is killed in Redis itself.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Redis } from 'ioredis';
import type { RedisLayer } from '../src/layer/redis.js';
import { freshRedisPrefix, killClients, testRedisUrl, withBackends } from './helpers/backends.js';
import { createUser, loginAdmin } from './helpers/http.js';
import { startServer } from './helpers/server.js';
import { connectStream } from './helpers/socket.js';

withBackends('event stream over Redis', { redis: true }, () => {
  it('closes every event stream with 1011 when the layer reconnected, and a new stream works at once', async (t) => {
    const server = await startServer(t, { REDIS_URL: testRedisUrl!, REDIS_PREFIX: freshRedisPrefix() });
    const admin = await loginAdmin(server.http);
    const mentee = await createUser(admin, { role: 'MENTEE' });
    const mentor = await createUser(admin, { role: 'MENTOR' });
    const stream = await connectStream(server.ws, mentee.cookie);
    const redis = new Redis(testRedisUrl!);
    redis.on('error', () => {});
    t.after(() => redis.quit());
    assert.ok((await killClients(redis, (server.tandem.layer as RedisLayer).connectionNames.sub)) > 0);
    const closed = await stream.closedWithin();
    assert.equal(closed.code, 1011);

    const again = await connectStream(server.ws, mentee.cookie);
    assert.equal((await admin.post('/api/matches', { mentor_email: mentor.email, mentee_email: mentee.email })).status, 201);
    assert.equal((await again.next()).type, 'match_created');
    await again.close();
  });
});
