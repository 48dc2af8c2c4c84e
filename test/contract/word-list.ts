/** The Store contract's word list changes (store/word-list-types.ts), run against every engine from storeContract. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withStore, type Body, type StoreFactory } from './harness.js';

export function wordListContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: word list changes`, () => {
    test('keeps the last change of each phrase, across a reopening', async (store, reopen) => {
      assert.deepEqual(await store.moderation.wordListChanges(), []);
      await store.moderation.changeWordList(['volcano museum', 'secret'], ['send me a pic']);
      await store.moderation.changeWordList([], ['secret']);
      await store.moderation.changeWordList([], []);
      const changes = await store.moderation.wordListChanges();
      assert.deepEqual(changes.map((change) => [change.phrase, change.listed]).sort(), [
        ['secret', false],
        ['send me a pic', false],
        ['volcano museum', true],
      ]);
      assert.ok(changes.every((change) => change.changedAt instanceof Date));
      if (reopen) {
        await store.close();
        const again = await reopen();
        assert.equal((await again.moderation.wordListChanges()).length, 3);
      }
    });
  });
}
