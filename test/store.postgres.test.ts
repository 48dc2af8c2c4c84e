/**
 * The Store contract against PostgresStore, plus what only PostgreSQL can show. Needs
 * TANDEM_TEST_DATABASE_URL, a database to connect to and create databases from; each test
 * gets a fresh database of its own, dropped afterwards. Without the variable the suite is
 * skipped with the reason shown, or fails when CI=true.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { MIGRATIONS } from '../src/store/migrations/index.js';
import { PostgresStore } from '../src/store/postgres.js';
import type { Store } from '../src/store/index.js';
import { safeguardingContract } from './contract/safeguarding.js';
import { storeContract, type StoreFactory } from './contract/store.js';
import { platformStoreContract } from './contract/platform-store.js';
import { freshDatabase, withBackends } from './helpers/backends.js';

const NAME = 'PostgresStore';

withBackends(NAME, { postgres: true }, () => {
  const make: StoreFactory = async () => {
    const db = await freshDatabase();
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const store = await PostgresStore.open({ url: db.url, poolSize: 4, outbox: { unreadAfterMs: 0 } });
      opened.push(store);
      return store;
    };
    const cleanup = async () => {
      for (const store of opened) await store.close();
      await db.drop();
    };
    return [await open(), cleanup, open];
  };

  storeContract(NAME, make);
  platformStoreContract(NAME, make);
  safeguardingContract(NAME, make);

  describe(`${NAME} on PostgreSQL only`, () => {
    it('migrates once when several instances start together', async () => {
      const db = await freshDatabase();
      const starts = await Promise.allSettled([1, 2, 3].map(() => PostgresStore.open({ url: db.url, poolSize: 2 })));
      const stores = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
      const direct = new pg.Client({ connectionString: db.url });
      await direct.connect();
      try {
        for (const start of starts) if (start.status === 'rejected') throw start.reason;
        const { rows } = await direct.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        assert.deepEqual(rows.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
        await Promise.all(stores.map((store) => store.ping()));
      } finally {
        await direct.end();
        for (const store of stores) await store.close();
        await db.drop();
      }
    });

    it('refuses every UPDATE and DELETE of the audit log', async () => {
      const db = await freshDatabase();
      const store = await PostgresStore.open({ url: db.url, poolSize: 2 });
      const direct = new pg.Client({ connectionString: db.url });
      direct.on('error', () => {});
      await direct.connect();
      try {
        await store.audit({ actor: 'admin@example.test', action: 'view', target: 'pair:1', detail: null });
        await assert.rejects(direct.query("UPDATE audit_log SET actor = 'someone else'"), /append-only/);
        await assert.rejects(direct.query('DELETE FROM audit_log'), /append-only/);
        assert.equal((await store.auditPage(10)).items[0]?.actor, 'admin@example.test');
      } finally {
        await direct.end();
        await store.close();
        await db.drop();
      }
    });

    it('fails alone an append that PostgreSQL refuses to store', async () => {
      const [store, cleanup] = await make();
      try {
        const mentor = await store.createUser({ email: 'mentor@example.test', passwordHash: 'h', firstName: 'M', lastName: 'T', role: 'MENTOR' });
        const mentee = await store.createUser({ email: 'mentee@example.test', passwordHash: 'h', firstName: 'E', lastName: 'T', role: 'MENTEE' });
        const { pairId } = await store.createMatch(mentor.email, mentee.email);
        const send = (content: string) => store.appendMessage({ pairId, senderId: mentee.id, content });
        const outcomes = await Promise.allSettled([send('before'), send('nul \u0000 byte'), send('after')]);
        assert.deepEqual(outcomes.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'fulfilled']);
        assert.deepEqual((await store.messagesAfter(pairId, 0, 10)).map((m) => [m.seq, m.content]), [[1, 'before'], [2, 'after']]);
      } finally {
        await cleanup();
      }
    });
  });
});
