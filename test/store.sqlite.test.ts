/** The Store contract against SqliteStore, each test on a fresh database file. */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite.js';
import type { Store } from '../src/store/index.js';
import { safeguardingContract } from './contract/safeguarding.js';
import { storeContract, type StoreFactory } from './contract/store.js';
import { platformStoreContract } from './contract/platform-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tandem-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
const make = async (): ReturnType<StoreFactory> => {
  const path = join(dir, `store-${++count}.db`);
  const opened: Store[] = [];
  const open = async (): Promise<Store> => {
    const store = await SqliteStore.open(path);
    opened.push(store);
    return store;
  };
  const cleanup = async () => {
    for (const store of opened) await store.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  };
  return [await open(), cleanup, open];
};
storeContract('SqliteStore', make);
platformStoreContract('SqliteStore', make);
safeguardingContract('SqliteStore', make);
