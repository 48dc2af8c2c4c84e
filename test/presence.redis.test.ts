/**
 * The PresenceRegistry contract against Redis (TANDEM_TEST_REDIS_URL), then what only a
 * shared backend shows: registries of two instances agreeing, and the entries of an instance
 * that stopped without leaving running out. Every run uses its own key prefix.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisPresence } from '../src/presence/redis.js';
import { freshRoom, within } from './contract/layer.js';
import { mentee, mentor, presenceContract } from './contract/presence.js';
import { freshRedisPrefix, killClients, privateRedis, testRedisUrl, withBackends } from './helpers/backends.js';
import { until } from './helpers/wait.js';

/**
 * Short enough to wait for, long enough that renewals (every third of it) keep up on a loaded
 * machine: the test process runs both instances, and at 1.2 s a stall of 0.8 s in it (seen
 * under a full suite beside other builds) let the open instance's entry expire too.
 */
const SHORT_TTL_MS = 3000;

withBackends('RedisPresence', { redis: true }, () => {
  const url = testRedisUrl!;
  const prefix = freshRedisPrefix();
  presenceContract('RedisPresence', async () => {
    const presence = await RedisPresence.open({ url, prefix });
    return [presence, () => presence.close()];
  });

  describe('RedisPresence, Redis only', () => {
    /** The registries of two instances sharing a prefix of their own, closed when the test ends. */
    async function twoInstances(t: TestContext, entryTtlMs?: number): Promise<[RedisPresence, RedisPresence]> {
      const config = { url, prefix: freshRedisPrefix(), entryTtlMs };
      const a = await RedisPresence.open(config);
      t.after(() => a.close());
      const b = await RedisPresence.open(config);
      t.after(() => b.close());
      return [a, b];
    }

    it('two instances sharing a prefix agree on the first and the last connection', async (t) => {
      const [a, b] = await twoInstances(t);
      const room = freshRoom();
      assert.equal(await a.join(room, mentor, 'tab-on-a'), true);
      assert.equal(await b.join(room, mentor, 'tab-on-b'), false, 'B sees the connection A registered');
      assert.equal(await b.isOnline(room, mentor), true);
      assert.equal(await a.leave(room, mentor, 'tab-on-a'), false, 'the tab on B remains');
      assert.equal(await b.leave(room, mentor, 'tab-on-b'), true, 'the last one left on B');
      assert.equal(await a.isOnline(room, mentor), false, 'A agrees');
    });

    it('the entries of an instance closed without leaving expire; those of an open one are renewed', async (t) => {
      const [staying, stopping] = await twoInstances(t, SHORT_TTL_MS);
      const room = freshRoom();
      // Joined first, so without renewal it would expire first.
      await staying.join(room, mentee, 'mentee-tab');
      await stopping.join(room, mentor, 'mentor-tab');
      assert.equal(await staying.isOnline(room, mentor), true);
      await stopping.close();

      await until("the stopped instance's entry to expire", async () => !(await staying.isOnline(room, mentor)));
      assert.equal(await staying.isOnline(room, mentee), true, 'the open instance renewed its entry');
      assert.equal(await staying.join(room, mentor, 'mentor-tab-2'), true, 'after expiry the next connection is first');
    });

    it('is named <prefix>presence:<tag> in CLIENT LIST, and comes back after its connection was killed', async (t) => {
      const ownPrefix = freshRedisPrefix();
      const presence = await RedisPresence.open({ url, prefix: ownPrefix });
      t.after(() => presence.close());
      const admin = new Redis(url);
      t.after(() => admin.quit());
      const room = freshRoom();
      await presence.join(room, mentor, 'tab-1');
      assert.equal(await killClients(admin, `${ownPrefix}presence:`), 1);
      await until('presence to answer after the kill', () =>
        presence.isOnline(room, mentor).then(
          () => true,
          () => false,
        ),
      );
      assert.equal(await presence.isOnline(room, mentor), true, 'the entry outlived the connection');
    });

    it('closes during an outage, and open rejects while Redis is unreachable', async (t) => {
      const redis = await privateRedis(t);
      const config = { url: redis.url, prefix: freshRedisPrefix() };
      const presence = await RedisPresence.open(config);
      await presence.join(freshRoom(), mentor, 'tab-1');
      await redis.stop();
      await within(assert.rejects(presence.isOnline(freshRoom(), mentor)), () => 'a call during the outage to reject');
      await within(presence.close(), () => 'close during the outage');
      await within(assert.rejects(RedisPresence.open(config), /cannot open Redis presence: .*ECONNREFUSED/), () => 'open to reject');
    });
  });
});
