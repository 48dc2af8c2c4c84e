/**
 * The Store contract against PostgresStore, plus what only PostgreSQL can show. Needs
 * TANDEM_TEST_DATABASE_URL, a database to connect to and create databases from; each test
 * gets a fresh database of its own, dropped afterwards. Without the variable the suite is
 * skipped with the reason shown, or fails when CI=true.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { MIGRATIONS } from '../src/store/migrations/index.js';
import { PostgresStore } from '../src/store/postgres.js';
import type { Store } from '../src/store/index.js';
import { storeContract, type StoreFactory } from './contract/store.js';

const NAME = 'PostgresStore';
const url = process.env.TANDEM_TEST_DATABASE_URL;

if (!url) {
  if (process.env.CI === 'true') {
    it(NAME, () => {
      throw new Error('TANDEM_TEST_DATABASE_URL is required in CI (e.g. postgres://postgres@127.0.0.1:5432/test)');
    });
  } else {
    describe(NAME, { skip: 'TANDEM_TEST_DATABASE_URL is not set' }, () => {});
  }
} else {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const run = `tandem_test_${randomBytes(4).toString('hex')}`;
  const created = new Set<string>();
  let count = 0;

  const drop = async (name: string) => {
    await admin`DROP DATABASE IF EXISTS ${admin(name)} WITH (FORCE)`;
    created.delete(name);
  };
  after(async () => {
    for (const name of [...created]) await drop(name);
    await admin.end();
  });

  /** A new empty database of this run: its URL, and a way to drop it. */
  const freshDatabase = async () => {
    const name = `${run}_${++count}`;
    await admin`CREATE DATABASE ${admin(name)}`;
    created.add(name);
    const target = new URL(url);
    target.pathname = `/${name}`;
    return { url: target.toString(), drop: () => drop(name) };
  };

  const make: StoreFactory = async () => {
    const db = await freshDatabase();
    const opened: Store[] = [];
    const open = async (): Promise<Store> => {
      const store = await PostgresStore.open({ url: db.url, poolSize: 4 });
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

  describe(`${NAME} on PostgreSQL only`, () => {
    it('migrates once when several instances start together', async () => {
      const db = await freshDatabase();
      const starts = await Promise.allSettled([1, 2, 3].map(() => PostgresStore.open({ url: db.url, poolSize: 2 })));
      const stores = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
      const direct = postgres(db.url, { max: 1 });
      try {
        for (const start of starts) if (start.status === 'rejected') throw start.reason;
        const rows = await direct<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
        assert.deepEqual(rows.map((row) => row.version), MIGRATIONS.map((migration) => migration.version));
        await Promise.all(stores.map((store) => store.ping()));
      } finally {
        await direct.end();
        for (const store of stores) await store.close();
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
}
