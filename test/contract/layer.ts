/**
 * The ChannelLayer contract (src/layer/index.ts), run against every engine. Deliveries are
 * awaited with promises that resolve on arrival and fail after a generous timeout; "nothing
 * arrives" is shown with a barrier event that would have arrived after it.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ChannelLayer } from '../../src/layer/index.js';
import type { BroadcastEvent, ChannelEvent } from '../../src/protocol/events.js';

export type LayerFactory = () => Promise<[ChannelLayer, () => Promise<void>]>;

export interface LayerContractOptions {
  /** Whether two layers from one factory share a backend and so see each other's events. */
  shared?: boolean;
}

/** Long enough for a loaded CI machine; reaching it fails the test, it is never a measurement. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** Collects what a handler receives; `until(n)` resolves once n items have arrived. */
export class Inbox<T> {
  readonly items: T[] = [];
  private readonly waiters: Array<{ count: number; resolve: (items: T[]) => void }> = [];

  readonly push = (item: T): void => {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (this.items.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(this.items);
      }
    }
  };

  until(count: number, what = 'events'): Promise<T[]> {
    if (this.items.length >= count) return Promise.resolve(this.items);
    const arrived = new Promise<T[]>((resolve) => this.waiters.push({ count, resolve }));
    return within(arrived, () => `${what}: ${this.items.length} of ${count} arrived`);
  }
}

/** Resolves as `promise` does, or rejects once DELIVERY_TIMEOUT_MS passed without it. */
export async function within<T>(promise: Promise<T>, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what()}`)), DELIVERY_TIMEOUT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A room name no other test (or run) uses. */
export function freshRoom(): string {
  return `room-${randomBytes(6).toString('hex')}`;
}

export function chat(seq: number, content = `message ${seq}`): Extract<ChannelEvent, { kind: 'chat_message' }> {
  return {
    kind: 'chat_message',
    message: {
      message_id: `m-${seq}`,
      seq,
      sender_email: 'mentor@example.com',
      sender_name: 'Ada',
      content,
      timestamp: '2024-05-01T12:00:00.000Z',
    },
  };
}

export function revoked(reason: string): BroadcastEvent {
  return { kind: 'session_revoked', token_hash: 'ab'.repeat(32), reason };
}

function seqs(events: ChannelEvent[]): number[] {
  return events.map((event) => (event.kind === 'chat_message' ? event.message.seq : -1));
}

/** Registers `describe(name)` with every contract case; cross-instance cases need `shared`. */
export function layerContract(name: string, make: LayerFactory, options: LayerContractOptions = {}): void {
  describe(name, () => {
    async function open(t: TestContext): Promise<ChannelLayer> {
      const [layer, cleanup] = await make();
      t.after(cleanup);
      return layer;
    }

    it('delivers an event published after subscribe resolved, to the publisher too, fields intact', async (t) => {
      const layer = await open(t);
      const room = freshRoom();
      const inbox = new Inbox<ChannelEvent>();
      await layer.subscribe(room, inbox.push);
      const sent: ChannelEvent[] = [
        { kind: 'chat_message', message: { ...chat(1, 'héllo "wörld"\n🎉 <b>&amp;</b> \\ \u2028').message, client_id: 'c-1' } },
        { kind: 'typing', sender_id: 7, sender_email: 'mentee@example.com', is_typing: true },
        { kind: 'read_receipt', reader_id: 7, reader_email: 'mentee@example.com', count: 3, last_read_id: null },
        { kind: 'read_receipt', reader_id: 7, reader_email: 'mentee@example.com', count: 0, last_read_id: 'm-9' },
        { kind: 'force_disconnect', reason: 'match ended' },
      ];
      for (const event of sent) await layer.publish(room, event);
      assert.deepEqual(await inbox.until(sent.length), sent);
    });

    it('keeps the publish order of 1000 events in one room', async (t) => {
      const layer = await open(t);
      const room = freshRoom();
      const inbox = new Inbox<ChannelEvent>();
      await layer.subscribe(room, inbox.push);
      const expected = Array.from({ length: 1000 }, (_, i) => i + 1);
      // Published without waiting for each other: publish order is call order.
      await Promise.all(expected.map((seq) => layer.publish(room, chat(seq))));
      assert.deepEqual(seqs(await inbox.until(1000)), expected);
    });

    it('does not deliver events of another room', async (t) => {
      const layer = await open(t);
      const [roomA, roomB] = [freshRoom(), freshRoom()];
      const inboxA = new Inbox<ChannelEvent>();
      const inboxB = new Inbox<ChannelEvent>();
      await layer.subscribe(roomA, inboxA.push);
      await layer.subscribe(roomB, inboxB.push);
      await layer.publish(roomB, chat(1));
      await layer.publish(roomA, chat(2));
      await layer.publish(freshRoom(), chat(3));
      await layer.publish(roomB, chat(4));
      assert.deepEqual(seqs(await inboxB.until(2)), [1, 4]);
      assert.deepEqual(seqs(inboxA.items), [2]);
    });

    it('delivers each event to every handler of a room, one subscribe each', async (t) => {
      const layer = await open(t);
      const room = freshRoom();
      const first = new Inbox<ChannelEvent>();
      const second = new Inbox<ChannelEvent>();
      const same = new Inbox<ChannelEvent>();
      // Concurrent first subscribes to a room are each live when they resolve.
      await Promise.all([layer.subscribe(room, first.push), layer.subscribe(room, second.push)]);
      // One function subscribed twice is two handlers.
      await layer.subscribe(room, same.push);
      await layer.subscribe(room, same.push);
      await layer.publish(room, chat(1));
      await layer.publish(room, chat(2));
      assert.deepEqual(seqs(await first.until(2)), [1, 2]);
      assert.deepEqual(seqs(await second.until(2)), [1, 2]);
      assert.deepEqual(seqs(await same.until(4)), [1, 1, 2, 2]);
    });

    it('stops delivering to an unsubscribed handler while the room keeps the others', async (t) => {
      const layer = await open(t);
      const room = freshRoom();
      const leaving = new Inbox<ChannelEvent>();
      const staying = new Inbox<ChannelEvent>();
      const unsubscribe = await layer.subscribe(room, leaving.push);
      await layer.subscribe(room, staying.push);
      await layer.publish(room, chat(1));
      await leaving.until(1);
      await unsubscribe();
      await unsubscribe(); // a second call changes nothing
      await layer.publish(room, chat(2));
      assert.deepEqual(seqs(await staying.until(2)), [1, 2]);
      assert.deepEqual(seqs(leaving.items), [1]);
    });

    it('delivers nothing once the last handler of a room left, and again after a new subscribe', async (t) => {
      const layer = await open(t);
      const [room, barrier] = [freshRoom(), freshRoom()];
      const old = new Inbox<ChannelEvent>();
      const fence = new Inbox<ChannelEvent>();
      const unsubscribeA = await layer.subscribe(room, old.push);
      const unsubscribeB = await layer.subscribe(room, old.push);
      await layer.subscribe(barrier, fence.push);
      await unsubscribeA();
      await unsubscribeB();
      await layer.publish(room, chat(1));
      await layer.publish(barrier, chat(2));
      await fence.until(1, 'the barrier event');
      assert.deepEqual(old.items, []);

      const renewed = new Inbox<ChannelEvent>();
      const unsubscribeC = await layer.subscribe(room, renewed.push);
      // Leaving and joining without waiting in between: the room ends up subscribed.
      const [, unsubscribeD] = await Promise.all([unsubscribeC(), layer.subscribe(room, renewed.push)]);
      await layer.publish(room, chat(3));
      assert.deepEqual(seqs(await renewed.until(1)), [3]);
      await unsubscribeD();
      assert.deepEqual(old.items, []);
    });

    it('broadcasts to the local onBroadcast handlers until they are removed', async (t) => {
      const layer = await open(t);
      const kept = new Inbox<BroadcastEvent>();
      const removed = new Inbox<BroadcastEvent>();
      layer.onBroadcast(kept.push);
      const remove = layer.onBroadcast(removed.push);
      await layer.broadcast(revoked('first'));
      assert.deepEqual(await removed.until(1), [revoked('first')]);
      remove();
      await layer.broadcast(revoked('second'));
      assert.deepEqual(await kept.until(2), [revoked('first'), revoked('second')]);
      assert.deepEqual(removed.items, [revoked('first')]);
    });

    it('pings while open; after close every call rejects and close again is harmless', async (t) => {
      const layer = await open(t);
      await layer.ping();
      await layer.close();
      await layer.close();
      await assert.rejects(layer.publish(freshRoom(), chat(1)));
      await assert.rejects(layer.subscribe(freshRoom(), () => {}));
      await assert.rejects(layer.broadcast(revoked('closed')));
      await assert.rejects(layer.ping());
    });

    if (!options.shared) return;

    it('delivers an event published on one instance to the subscribers of every instance', async (t) => {
      const [a, b] = [await open(t), await open(t)];
      const room = freshRoom();
      const onA = new Inbox<ChannelEvent>();
      const onB = new Inbox<ChannelEvent>();
      await a.subscribe(room, onA.push);
      await b.subscribe(room, onB.push);
      await a.publish(room, chat(1));
      await b.publish(room, chat(2));
      assert.deepEqual(seqs(await onA.until(2)), [1, 2]);
      assert.deepEqual(seqs(await onB.until(2)), [1, 2]);
    });

    it('keeps the order of 1000 events from one instance on another instance', async (t) => {
      const [a, b] = [await open(t), await open(t)];
      const room = freshRoom();
      const onB = new Inbox<ChannelEvent>();
      await b.subscribe(room, onB.push);
      const expected = Array.from({ length: 1000 }, (_, i) => i + 1);
      await Promise.all(expected.map((seq) => a.publish(room, chat(seq))));
      assert.deepEqual(seqs(await onB.until(1000)), expected);
    });

    it('keeps a room live on one instance when the other unsubscribed', async (t) => {
      const [a, b] = [await open(t), await open(t)];
      const [room, barrier] = [freshRoom(), freshRoom()];
      const onA = new Inbox<ChannelEvent>();
      const fenceA = new Inbox<ChannelEvent>();
      const onB = new Inbox<ChannelEvent>();
      const unsubscribeA = await a.subscribe(room, onA.push);
      await a.subscribe(barrier, fenceA.push);
      await b.subscribe(room, onB.push);
      await unsubscribeA();
      await b.publish(room, chat(1));
      await b.publish(barrier, chat(2));
      assert.deepEqual(seqs(await onB.until(1)), [1]);
      await fenceA.until(1, 'the barrier event');
      assert.deepEqual(onA.items, []);
    });

    it('broadcasts to the onBroadcast handlers of every instance', async (t) => {
      const [a, b] = [await open(t), await open(t)];
      const onA = new Inbox<BroadcastEvent>();
      const onB = new Inbox<BroadcastEvent>();
      a.onBroadcast(onA.push);
      b.onBroadcast(onB.push);
      await a.broadcast(revoked('from a'));
      await b.broadcast(revoked('from b'));
      assert.deepEqual(await onA.until(2), [revoked('from a'), revoked('from b')]);
      assert.deepEqual(await onB.until(2), [revoked('from a'), revoked('from b')]);
    });
  });
}
