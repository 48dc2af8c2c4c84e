/**
 * The Store contract against PostgresStore, plus what only PostgreSQL can show. Needs
 * TANDEM_TEST_DATABASE_URL, a database to connect to and create databases from; each test
 * gets a fresh database of its own, dropped afterwards. Without the variable the suite is
 * skipped with the reason shown, or fails under CI.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { MIGRATIONS } from '../src/store/migrations/index.js';
import { PostgresStore } from '../src/store/postgres/index.js';
import type { Store } from '../src/store/index.js';
import { attachmentsContract } from './contract/attachments.js';
import { erasureContract } from './contract/erasure.js';
import { programmeContract } from './contract/programme.js';
import { lookupsContract } from './contract/lookups.js';
import { safeguardingContract } from './contract/safeguarding.js';
import { storeContract, type StoreFactory } from './contract/store.js';
import { platformStoreContract } from './contract/platform-store.js';
import { freshDatabase, withBackends } from './helpers/backends.js';
import { until } from './helpers/wait.js';

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
  erasureContract(NAME, make);
  programmeContract(NAME, make);
  lookupsContract(NAME, make);
  attachmentsContract(NAME, make);

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
        assert.deepEqual(
          rows.map((row) => row.version),
          MIGRATIONS.map((migration) => migration.version),
        );
        await Promise.all(stores.map((store) => store.ping()));
      } finally {
        await direct.end();
        for (const store of stores) await store.close();
        await db.drop();
      }
    });

    it("refuses every UPDATE and DELETE of the audit log, but an erasure's redaction", async () => {
      const db = await freshDatabase();
      const store = await PostgresStore.open({ url: db.url, poolSize: 2 });
      const direct = new pg.Client({ connectionString: db.url });
      direct.on('error', () => {});
      await direct.connect();
      try {
        await store.audit.record({ actor: 'admin@example.test', action: 'view', target: 'pair:1', detail: null });
        await assert.rejects(direct.query("UPDATE audit_log SET actor = 'someone else'"), /append-only/);
        await assert.rejects(direct.query('DELETE FROM audit_log'), /append-only/);
        await assert.rejects(direct.query('TRUNCATE audit_log'), /append-only/);
        await assert.rejects(direct.query(`UPDATE audit_log SET detail = '{"forged":true}'`), /append-only/);
        await assert.rejects(direct.query("UPDATE audit_log SET detail = NULL, action = 'other'"), /append-only/);
        await assert.rejects(direct.query("UPDATE audit_log SET detail = NULL, target = 'pair:2'"), /append-only/);
        assert.equal((await store.audit.page(10)).items[0]?.actor, 'admin@example.test');
        await direct.query("UPDATE audit_log SET detail = NULL, actor = 'deleted-9@deleted.invalid'");
        assert.equal((await store.audit.page(10)).items[0]?.actor, 'deleted-9@deleted.invalid');
      } finally {
        await direct.end();
        await store.close();
        await db.drop();
      }
    });

    it("keeps no webhook body saved while an erasure of the pair's user commits: the save waits for it, then sees it", async () => {
      const db = await freshDatabase();
      const store = await PostgresStore.open({ url: db.url, poolSize: 4, outbox: { unreadAfterMs: 0 } });
      const erasing = new pg.Client({ connectionString: db.url });
      const watching = new pg.Client({ connectionString: db.url });
      await erasing.connect();
      await watching.connect();
      try {
        const mentor = await store.accounts.create({ email: 'mentor@example.test', passwordHash: 'h', firstName: 'M', lastName: 'T', role: 'MENTOR' });
        const mentee = await store.accounts.create({ email: 'mentee@example.test', passwordHash: 'h', firstName: 'E', lastName: 'T', role: 'MENTEE' });
        const { pairId } = await store.matches.create(mentor.email, mentee.email);
        await store.messages.append({ pairId, senderId: mentee.id, content: 'secret words' });
        const events = await store.outbox.claim(100, 60_000);
        const facts = await store.outbox.facts(events);
        // An erasure half-way, in eraseUser's order: the user's lock, the outbox bodies, the user's row; not committed yet.
        await erasing.query('BEGIN');
        await erasing.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [mentee.id]);
        await erasing.query('UPDATE webhook_events SET data = NULL WHERE pair_id = $1', [pairId]);
        await erasing.query("UPDATE users SET email = 'deleted-' || id || '@deleted.invalid' WHERE id = $1", [mentee.id]);
        const saving = store.outbox.saveBodies(events.map((event, at) => ({ id: event.id, data: '{"copy":"secret words"}', erased: facts[at]!.erased })));
        await until("the save to wait for the erasure's locks", async () => {
          const { rows } = await watching.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          );
          return rows[0]!.n > 0;
        });
        await erasing.query('COMMIT');
        assert.deepEqual([...(await saving)], []);
        for (const event of events) assert.equal((await store.outbox.byEventId(event.eventId))!.data, null, event.type);
      } finally {
        await erasing.end();
        await watching.end();
        await store.close();
        await db.drop();
      }
    });

    it('fails alone an append that PostgreSQL refuses to store', async () => {
      const [store, cleanup] = await make();
      try {
        const mentor = await store.accounts.create({ email: 'mentor@example.test', passwordHash: 'h', firstName: 'M', lastName: 'T', role: 'MENTOR' });
        const mentee = await store.accounts.create({ email: 'mentee@example.test', passwordHash: 'h', firstName: 'E', lastName: 'T', role: 'MENTEE' });
        const { pairId } = await store.matches.create(mentor.email, mentee.email);
        const send = (content: string) => store.messages.append({ pairId, senderId: mentee.id, content });
        const outcomes = await Promise.allSettled([send('before'), send('nul \u0000 byte'), send('after')]);
        assert.deepEqual(
          outcomes.map((outcome) => outcome.status),
          ['fulfilled', 'rejected', 'fulfilled'],
        );
        assert.deepEqual(
          (await store.messages.after(pairId, 0, 10)).map((m) => [m.seq, m.content]),
          [
            [1, 'before'],
            [2, 'after'],
          ],
        );
      } finally {
        await cleanup();
      }
    });
  });
});
