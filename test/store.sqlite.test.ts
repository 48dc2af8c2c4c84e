/** The Store contract against SqliteStore, each test on a fresh database file. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/index.js';
import type { Store } from '../src/store/index.js';
import { attachmentsContract } from './contract/attachments.js';
import { erasureContract } from './contract/erasure.js';
import { programmeContract } from './contract/programme.js';
import { lookupsContract } from './contract/lookups.js';
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
    const store = await SqliteStore.open(path, { unreadAfterMs: 0 });
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
erasureContract('SqliteStore', make);
programmeContract('SqliteStore', make);
lookupsContract('SqliteStore', make);
attachmentsContract('SqliteStore', make);

describe('SqliteStore audit log', () => {
  it("refuses every UPDATE and DELETE of the audit log, but an erasure's redaction", async () => {
    const path = join(dir, 'audit.db');
    const store = await SqliteStore.open(path);
    await store.audit.record({ actor: 'admin@example.test', action: 'view', target: 'pair:1', detail: null });
    const raw = new Database(path);
    try {
      assert.throws(() => raw.prepare("UPDATE audit_log SET actor = 'someone else'").run(), /append-only/);
      assert.throws(() => raw.prepare('DELETE FROM audit_log').run(), /append-only/);
      assert.throws(() => raw.prepare(`UPDATE audit_log SET detail = '{"forged":true}'`).run(), /append-only/);
      assert.throws(() => raw.prepare("UPDATE audit_log SET detail = NULL, action = 'other'").run(), /append-only/);
      assert.throws(() => raw.prepare("UPDATE audit_log SET detail = NULL, target = 'pair:2'").run(), /append-only/);
      assert.equal((await store.audit.page(10)).items[0]?.actor, 'admin@example.test');
      raw.prepare("UPDATE audit_log SET detail = NULL, actor = 'deleted-9@deleted.invalid'").run();
      assert.equal((await store.audit.page(10)).items[0]?.actor, 'deleted-9@deleted.invalid');
    } finally {
      raw.close();
      await store.close();
    }
  });
});

describe('SqliteStore erasure and the WAL', () => {
  it('an erasure commits even when a reader holds the WAL; it says the purge did not complete, and the next one completes', async () => {
    const path = join(dir, 'purge.db');
    const store = await SqliteStore.open(path);
    const make = (email: string) => store.accounts.create({ email, passwordHash: 'h', firstName: 'A', lastName: 'B', role: 'MENTEE' });
    const [first, second] = [await make('first@example.test'), await make('second@example.test')];
    const reader = new Database(path, { readonly: true });
    try {
      reader.prepare('BEGIN').run();
      reader.prepare('SELECT count(*) FROM users').get();
      const held = await store.dataRights.erase(first.id);
      assert.match(held.purgeProblem ?? '', /reader/);
      assert.equal(await store.accounts.byEmail('first@example.test'), null, 'the erasure committed');
      reader.prepare('COMMIT').run();
      assert.equal((await store.dataRights.erase(second.id)).purgeProblem, null);
    } finally {
      reader.close();
      await store.close();
    }
  });
});
