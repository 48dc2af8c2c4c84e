/**
 * The Store contract: the suites every Store engine must pass, one per part of the Store, so
 * that SQLite and PostgreSQL behave the same behind its interfaces. Each test opens its own
 * empty store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { accountsContract } from './accounts.js';
import { withStore, seed, send, type Body, type StoreFactory } from './harness.js';
import { heldRetryContract } from './held-retry.js';
import { matchesContract } from './matches.js';
import { messagesContract } from './messages.js';
import { messageChangesContract } from './message-changes.js';
import { outboxContract } from './outbox.js';
import { usersContract } from './users.js';
import { wordListContract } from './word-list.js';

export type { StoreFactory } from './harness.js';
export { assertContiguous, rejectsWith, seed, send } from './harness.js';

/** Registers the contract suites for the engine that `make` opens. */
export function storeContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  usersContract(name, make);
  matchesContract(name, make);
  messagesContract(name, make);
  messageChangesContract(name, make);
  describe(`${name}: the whole store`, () => {
    test('keeps everything across close and reopen, pending appends included', async (store, reopen, t) => {
      if (!reopen) return t.skip('the factory cannot reopen');
      const { mentor, mentee, pairId } = await seed(store);
      await store.sessions.create('token', mentee.id, new Date(Date.now() + 60_000));
      await send(store, pairId, mentee, 'one', 'c1');
      const unsettled = send(store, pairId, mentor, 'two');
      await store.close();
      assert.equal((await unsettled).message.seq, 2);
      const reopened = await reopen();
      assert.deepEqual(await reopened.sessions.userOf('token', new Date()), mentee);
      assert.equal((await reopened.accounts.credentials(mentor.email))?.passwordHash, `hash:${mentor.email}`);
      assert.deepEqual(
        (await reopened.matches.list()).map((m) => m.pairId),
        [pairId],
      );
      assert.deepEqual(
        (await reopened.messages.after(pairId, 0, 10)).map((m) => m.content),
        ['one', 'two'],
      );
      assert.equal((await send(reopened, pairId, mentee, 'one again', 'c1')).created, false);
      assert.equal((await send(reopened, pairId, mentee, 'three')).message.seq, 3);
      await reopened.ping();
    });
  });
  outboxContract(name, make);
  accountsContract(name, make);
  wordListContract(name, make);
  heldRetryContract(name, make);
}
