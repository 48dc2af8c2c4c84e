/**
 * The Store contract of what a platform brings (PROTOCOL.md Part 5): users it describes,
 * matches it sets, and the history it imports — held by every engine, like
 * contract/store.ts, and registered beside it by each engine's test file.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { StoreFactory } from './store.js';
import type { Store } from '../../src/store/index.js';

type Body = (store: Store, reopen: (() => Promise<Store>) | undefined, t: TestContext) => Promise<void>;

export function platformStoreContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) =>
    it(title, async (t) => {
      const [store, cleanup, reopen] = await make();
      try {
        await body(store, reopen, t);
      } finally {
        await cleanup();
      }
    });

  describe(`${name}: what a platform brings`, () => {
    test('upsertUser creates a user with no password, then updates names and role, and writes nothing when all is so', async (store) => {
      const described = { email: 'sam@platform.test', firstName: 'Sam', lastName: 'Lee', role: 'MENTEE' as const };
      const created = await store.upsertUser(described);
      assert.deepEqual([created.created, created.changed, created.user.email, created.user.role], [true, true, 'sam@platform.test', 'MENTEE']);
      assert.equal((await store.credentialsByEmail('sam@platform.test'))?.passwordHash, '', 'no password');
      const same = await store.upsertUser(described);
      assert.deepEqual([same.created, same.changed, same.user.id], [false, false, created.user.id]);
      const promoted = await store.upsertUser({ ...described, firstName: 'Samantha', role: 'MENTOR' });
      assert.deepEqual([promoted.created, promoted.changed, promoted.user.firstName, promoted.user.role], [false, true, 'Samantha', 'MENTOR']);
      assert.equal((await store.userByEmail('sam@platform.test'))?.role, 'MENTOR');
    });

    test('upsertUser keeps the password of a user who has one', async (store) => {
      await store.createUser({ email: 'tom@platform.test', passwordHash: 'scrypt$kept', firstName: 'Tom', lastName: 'Ng', role: 'MENTOR' });
      const updated = await store.upsertUser({ email: 'tom@platform.test', firstName: 'Thomas', lastName: 'Ng', role: 'MENTOR' });
      assert.deepEqual([updated.created, updated.changed], [false, true]);
      assert.equal((await store.credentialsByEmail('tom@platform.test'))?.passwordHash, 'scrypt$kept');
    });

    test('concurrent upserts of one email, on two instances, end in one user, one of them created', async (store, reopen) => {
      const other = reopen ? await reopen() : store;
      const described = { email: 'race@platform.test', firstName: 'Ra', lastName: 'Ce', role: 'MENTOR' as const };
      const results = await Promise.all([store, other, store, other].map((s) => s.upsertUser(described)));
      assert.equal(results.filter((result) => result.created).length, 1);
      assert.equal(new Set(results.map((result) => result.user.id)).size, 1);
    });
  });
}
