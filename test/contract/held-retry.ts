/** The Store contract's `appendUnlessHeld`: a retry of a held message gets it back, nothing stored; run against every engine from storeContract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withStore, type Body, type StoreFactory } from './harness.js';
import type { Store } from '../../src/store/index.js';

/** A mentee matched with a mentor (the contract's other parts have their own seeds; importing one would be a cycle). */
async function seed(store: Store) {
  const user = (email: string, role: 'MENTOR' | 'MENTEE') =>
    store.accounts.create({ email, passwordHash: `hash:${email}`, firstName: 'T', lastName: 'Test', role });
  const mentor = await user('mentor@example.test', 'MENTOR');
  const mentee = await user('mentee@example.test', 'MENTEE');
  return { mentee, pairId: (await store.matches.create(mentor.email, mentee.email)).pairId };
}

export function heldRetryContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: appends under moderation`, () => {
    test('a client_id whose message is held (or rejected) gets it back and stores nothing; once approved, the stored original', async (store) => {
      const { mentee, pairId } = await seed(store);
      const outcome = await store.moderation.hold({
        pairId,
        senderId: mentee.id,
        content: 'call 07911 123456',
        clientId: 'c-1',
        rule: 'phone',
        matched: '07911 123456',
      });
      assert.ok('held' in outcome);
      const retry = await store.messages.appendUnlessHeld({ pairId, senderId: mentee.id, content: 'innocent now', clientId: 'c-1' });
      assert.ok('held' in retry && retry.held.id === outcome.held.id, 'the held original');
      assert.deepEqual(await store.messages.after(pairId, 0, 10), [], 'nothing stored');
      await store.moderation.reject(outcome.held.id, 'admin@example.test', 'no numbers');
      assert.ok(
        'held' in (await store.messages.appendUnlessHeld({ pairId, senderId: mentee.id, content: 'again', clientId: 'c-1' })),
        'rejected: still the original',
      );

      const fresh = await store.messages.appendUnlessHeld({ pairId, senderId: mentee.id, content: 'hello', clientId: 'c-2' });
      assert.ok('message' in fresh && fresh.created && fresh.message.seq === 1, 'another client_id is stored');
      const second = await store.moderation.hold({
        pairId,
        senderId: mentee.id,
        content: 'jo@example.com',
        clientId: 'c-3',
        rule: 'email',
        matched: 'jo@example.com',
      });
      assert.ok('held' in second);
      const { message } = await store.moderation.approve(second.held.id, 'admin@example.test');
      const afterApproval = await store.messages.appendUnlessHeld({ pairId, senderId: mentee.id, content: 'retry', clientId: 'c-3' });
      assert.ok('message' in afterApproval && !afterApproval.created && afterApproval.message.id === message.id, 'approved: the stored message');
    });
  });
}
