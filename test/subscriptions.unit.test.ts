/**
 * "Subscribe on first join, drop after last leave" (src/subscriptions/shared-subscriptions.ts),
 * over a fake upstream whose subscriptions the test opens, fails and counts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedSubscriptions, type Group } from '../src/subscriptions/shared-subscriptions.js';

/**
 * An upstream whose subscribes wait for the test: `open(key)` makes the pending one live,
 * `fail(key)` rejects it. Like the channel layer, it can drop only a live subscription.
 */
class FakeUpstream {
  readonly subscribed: string[] = [];
  /** Unsubscribes asked for, at once, settled or not. */
  readonly asked: string[] = [];
  readonly dropped: string[] = [];
  throwNext = false;
  /** Subscribes not yet answered, oldest first. */
  private readonly pending: Array<{ key: string; resolve: (id: string) => void; reject: (error: Error) => void }> = [];

  readonly shared = new SharedSubscriptions<string, string, string, Group<string>>({
    create: () => ({ members: new Set<string>() }),
    subscribe: (key) => {
      if (this.throwNext) {
        this.throwNext = false;
        throw new Error(`cannot subscribe ${key}`);
      }
      this.subscribed.push(key);
      return new Promise((resolve, reject) => this.pending.push({ key, resolve, reject }));
    },
    unsubscribe: async (key, subscribed) => {
      this.asked.push(key);
      this.dropped.push(await subscribed);
    },
  });

  open(key: string): void {
    this.answer(key).resolve(key);
  }

  fail(key: string): void {
    this.answer(key).reject(new Error(`${key} refused`));
  }

  private answer(key: string) {
    const at = this.pending.findIndex((pending) => pending.key === key);
    assert.ok(at >= 0, `no subscribe of ${key} pending`);
    return this.pending.splice(at, 1)[0]!;
  }
}

/** Lets promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('shared subscriptions', () => {
  it('the first member of a key subscribes it, once; every join resolves when it is live', async () => {
    const upstream = new FakeUpstream();
    let joined = 0;
    const first = upstream.shared.join('room', 'a').then(() => joined++);
    const second = upstream.shared.join('room', 'b').then(() => joined++);
    void upstream.shared.join('other', 'c');
    await settle();
    assert.deepEqual(upstream.subscribed, ['room', 'other']);
    assert.equal(joined, 0, 'nobody is in before the subscription is live');
    upstream.open('room');
    await Promise.all([first, second]);
    assert.deepEqual([...upstream.shared.get('room')!.members], ['a', 'b']);
    assert.deepEqual([...upstream.shared.keys()], ['room', 'other']);
  });

  it('only the last member to leave drops the subscription; a later join subscribes again', async () => {
    const upstream = new FakeUpstream();
    const joins = [upstream.shared.join('room', 'a'), upstream.shared.join('room', 'b')];
    upstream.open('room');
    await Promise.all(joins);
    await upstream.shared.leave('room', 'a');
    assert.deepEqual(upstream.dropped, []);
    await upstream.shared.leave('room', 'a');
    assert.deepEqual(upstream.dropped, [], 'a member that left already changes nothing');
    await upstream.shared.leave('room', 'b');
    assert.deepEqual(upstream.dropped, ['room']);
    assert.equal(upstream.shared.get('room'), undefined);
    void upstream.shared.join('room', 'c');
    assert.deepEqual(upstream.subscribed, ['room', 'room']);
  });

  it('a last leave before the subscription is live drops it once it is', async () => {
    const upstream = new FakeUpstream();
    const join = upstream.shared.join('room', 'a');
    const leave = upstream.shared.leave('room', 'a');
    assert.equal(upstream.shared.get('room'), undefined, 'forgotten at once');
    assert.deepEqual(upstream.asked, ['room'], 'asked at once, so the upstream sees a drop and a new subscribe in their order');
    void upstream.shared.join('room', 'b');
    assert.deepEqual(upstream.subscribed, ['room', 'room']);
    await settle();
    assert.deepEqual(upstream.dropped, []);
    upstream.open('room');
    await Promise.all([join, leave]);
    assert.deepEqual(upstream.dropped, ['room']);
  });

  it('a subscription that cannot be opened rejects every join of it, keeps none of them, and the next join tries afresh', async () => {
    const upstream = new FakeUpstream();
    const joins = [upstream.shared.join('room', 'a'), upstream.shared.join('room', 'b')];
    upstream.fail('room');
    for (const join of joins) await assert.rejects(join, /room refused/);
    assert.equal(upstream.shared.get('room'), undefined);
    upstream.throwNext = true;
    await assert.rejects(upstream.shared.join('room', 'c'), /cannot subscribe room/, 'a throw is a rejection like any other');
    assert.equal(upstream.shared.get('room'), undefined);
    const again = upstream.shared.join('room', 'd');
    upstream.open('room');
    await again;
    assert.deepEqual([...upstream.shared.get('room')!.members], ['d']);
    await upstream.shared.leave('room', 'a');
    assert.deepEqual(upstream.asked, [], 'a member of the failed subscription is not one of the new');
  });

  it("the group is the owner's own object, made once per subscription", async () => {
    const made: string[] = [];
    const shared = new SharedSubscriptions<string, string, null, { members: Set<string>; first: string }>({
      create: (key, first) => {
        made.push(key);
        return { members: new Set(), first };
      },
      subscribe: async () => null,
      unsubscribe: async () => {},
    });
    const group = await shared.join('room', 'a');
    assert.equal(await shared.join('room', 'b'), group);
    assert.equal(group.first, 'a');
    assert.deepEqual(made, ['room']);
    assert.deepEqual([...shared.groups()], [group]);
  });
});
