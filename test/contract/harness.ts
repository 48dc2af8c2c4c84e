/** What every part of the Store contract shares: the factory it is given, and how a test opens and cleans up its store. */
import type { TestContext } from 'node:test';
import type { Store } from '../../src/store/index.js';

/**
 * Opens an empty store. `cleanup` closes every store the factory opened (also those the test
 * already closed) and deletes the data. `reopen`, when given, opens another store on the
 * same data: a restart once the first is closed, a second instance while it is open.
 */
export type StoreFactory = () => Promise<[store: Store, cleanup: () => Promise<void>, reopen?: () => Promise<Store>]>;

export type Body = (store: Store, reopen: (() => Promise<Store>) | undefined, t: TestContext) => Promise<void>;

export async function withStore(make: StoreFactory, t: TestContext, body: Body): Promise<void> {
  const [store, cleanup, reopen] = await make();
  try {
    await body(store, reopen, t);
  } finally {
    await cleanup();
  }
}
