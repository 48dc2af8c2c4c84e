/**
 * The ChannelLayer contract against Redis (TANDEM_TEST_REDIS_URL), then what only Redis can
 * do: lose its subscriber connection, or go away entirely and come back. Every run uses its
 * own key prefix so that runs sharing one Redis never see each other's events.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { RedisLayer } from '../src/layer/redis.js';
import type { BroadcastEvent, ChannelEvent } from '../src/protocol/events.js';
import { chat, freshRoom, Inbox, layerContract, revoked, within } from './contract/layer.js';
import { holdingProxy } from './helpers/holding-proxy.js';
import { until } from './helpers/wait.js';
import { freePort, freshRedisPrefix, killClients, startRedis, stopRedis, testRedisUrl, withBackends } from './helpers/backends.js';

const freshPrefix = freshRedisPrefix;

withBackends('RedisLayer', { redis: true }, () => {
  const url = testRedisUrl!;
  const prefix = freshPrefix();
  layerContract(
    'RedisLayer',
    async () => {
      const layer = await RedisLayer.open({ url, prefix });
      return [layer, () => layer.close()];
    },
    { shared: true },
  );
  redisOnly(url);
});

function redisOnly(url: string): void {
  describe('RedisLayer, Redis only', () => {
    async function open(t: TestContext, config: { url: string; prefix: string }): Promise<RedisLayer> {
      const layer = await RedisLayer.open(config);
      t.after(() => layer.close());
      return layer;
    }

    it('re-subscribes by itself after its subscriber connection was killed, and says so', async (t) => {
      const prefix = freshPrefix();
      const [a, b] = [await open(t, { url, prefix }), await open(t, { url, prefix })];
      const admin = new Redis(url);
      t.after(() => admin.quit());
      const [room, left] = [freshRoom(), freshRoom()];
      const onA = new Inbox<ChannelEvent>();
      const onB = new Inbox<ChannelEvent>();
      const broadcastsA = new Inbox<BroadcastEvent>();
      await a.subscribe(room, onA.push);
      await b.subscribe(room, onB.push);
      await (
        await a.subscribe(left, () => {})
      )();
      a.onBroadcast(broadcastsA.push);
      const numsub = () => admin.pubsub('NUMSUB', `${prefix}room:${room}`, `${prefix}room:${left}`, `${prefix}broadcast`);
      const expected = [`${prefix}room:${room}`, 2, `${prefix}room:${left}`, 0, `${prefix}broadcast`, 2];
      assert.deepEqual(await numsub(), expected, 'the last unsubscribe of a room UNSUBSCRIBEs');
      const reconnectedA = new Inbox<void>();
      const reconnectedB = new Inbox<void>();
      a.onReconnect(() => reconnectedA.push());
      b.onReconnect(() => reconnectedB.push());

      const killed = await killClients(admin, `${prefix}sub`);
      assert.equal(killed, 2, 'both subscriber connections were found and killed');
      await reconnectedA.until(1, 'onReconnect of the first layer');
      await reconnectedB.until(1, 'onReconnect of the second layer');

      await a.ping();
      assert.deepEqual(await numsub(), expected, 'the same channels are subscribed after the kill');
      await b.publish(room, chat(1));
      await a.publish(room, chat(2));
      assert.deepEqual(await onA.until(2), [chat(1), chat(2)]);
      assert.deepEqual(await onB.until(2), [chat(1), chat(2)]);
      await b.broadcast(revoked('after the kill'));
      assert.deepEqual(await broadcastsA.until(1), [revoked('after the kill')]);
      assert.equal(reconnectedA.items.length, 1);
    });

    it('ignores malformed messages on its channels', async (t) => {
      const prefix = freshPrefix();
      const layer = await open(t, { url, prefix });
      const admin = new Redis(url);
      t.after(() => admin.quit());
      const room = freshRoom();
      const inbox = new Inbox<ChannelEvent>();
      const broadcasts = new Inbox<BroadcastEvent>();
      await layer.subscribe(room, inbox.push);
      layer.onBroadcast(broadcasts.push);
      for (const garbage of ['not json', '{"kind":', '42', 'null', '"text"', '{"no":"kind"}']) {
        await admin.publish(`${prefix}room:${room}`, garbage);
        await admin.publish(`${prefix}broadcast`, garbage);
      }
      await layer.publish(room, chat(1));
      await layer.broadcast(revoked('valid'));
      assert.deepEqual(await inbox.until(1), [chat(1)]);
      assert.deepEqual(await broadcasts.until(1), [revoked('valid')]);
    });

    it('resolves subscribe only once Redis answered it', async (t) => {
      const redis = new URL(url);
      const proxy = await holdingProxy(t, { host: redis.hostname, port: Number(redis.port || 6379) });
      const layer = await open(t, { url: `redis://127.0.0.1:${proxy.port}`, prefix: freshPrefix() });
      const room = freshRoom();
      const inbox = new Inbox<ChannelEvent>();
      proxy.hold();
      let settled = false;
      const subscribed = layer.subscribe(room, inbox.push).finally(() => (settled = true));
      // Redis answered the SUBSCRIBE (the answer, naming the room, sits in the proxy): a
      // subscribe that did not wait for it would have settled long before.
      await within(proxy.answered(`room:${room}`), () => "Redis's answer to SUBSCRIBE");
      assert.equal(settled, false, 'subscribe settled before its answer reached the layer');
      proxy.release();
      await within(subscribed, () => 'subscribe to resolve');
      await layer.publish(room, chat(1));
      assert.deepEqual(await inbox.until(1), [chat(1)]);
    });

    it('rejects while Redis is down and recovers by itself when it is back', async (t) => {
      const port = await freePort();
      let server = await startRedis(port);
      t.after(() => stopRedis(server));
      const layer = await open(t, { url: `redis://127.0.0.1:${port}`, prefix: freshPrefix() });
      const room = freshRoom();
      const inbox = new Inbox<ChannelEvent>();
      const broadcasts = new Inbox<BroadcastEvent>();
      const reconnected = new Inbox<void>();
      await layer.subscribe(room, inbox.push);
      layer.onBroadcast(broadcasts.push);
      layer.onReconnect(() => reconnected.push());
      await layer.publish(room, chat(1));
      await inbox.until(1);

      await stopRedis(server);
      const rejects = (call: Promise<unknown>, what: string) => within(assert.rejects(call), () => `${what} to reject`);
      await rejects(layer.ping(), 'ping');
      await rejects(layer.publish(room, chat(2)), 'publish');
      await rejects(layer.broadcast(revoked('while down')), 'broadcast');
      await rejects(
        layer.subscribe(freshRoom(), () => {}),
        'subscribe',
      );

      server = await startRedis(port);
      await reconnected.until(1, 'onReconnect after the restart');
      await until('ping to resolve after the restart', () =>
        layer.ping().then(
          () => true,
          () => false,
        ),
      );
      await layer.publish(room, chat(3));
      assert.deepEqual(await inbox.until(2), [chat(1), chat(3)]);
      await layer.broadcast(revoked('back'));
      assert.deepEqual(await broadcasts.until(1), [revoked('back')]);
    });

    it('closes during an outage, and open rejects while Redis is unreachable', async (t) => {
      const port = await freePort();
      const server = await startRedis(port);
      t.after(() => stopRedis(server));
      const config = { url: `redis://127.0.0.1:${port}`, prefix: freshPrefix() };
      const layer = await RedisLayer.open(config);
      await stopRedis(server);
      await within(layer.close(), () => 'close during the outage');
      await within(assert.rejects(RedisLayer.open(config), /ECONNREFUSED/), () => 'open to reject');
    });
  });
}
