/**
 * A store upgraded to the pair-health schema counts the messages it already held exactly as
 * the trigger counts new ones: the same history, counted by the trigger as it is stored and
 * counted again by the migration's backfill, gives the same figures, on both engines.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { Store } from '../src/store/index.js';
import { PostgresStore } from '../src/store/postgres/index.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { seed } from './contract/harness.js';
import { freshDatabase, withBackends } from './helpers/backends.js';

const DROP = ['DROP TRIGGER messages_keep_pair_health', 'DROP TABLE pair_alerts', 'DROP TABLE pair_replies', 'DROP TABLE pair_days', 'DROP TABLE pair_health'];

/** Two pairs with turns, runs, more than 20 messages and several days. */
async function writeHistory(store: Store): Promise<void> {
  const { mentor, mentee, other, loner } = await seed(store);
  await store.matches.create(other.email, loner.email);
  const start = Date.UTC(2026, 2, 2, 9);
  const pattern = 'eeMMMeMeeeeMeMMMMMeeMeeMMe';
  const messages = [...pattern].flatMap((letter, i) => [
    { sender: letter === 'M' ? mentor : mentee, receiver: letter === 'M' ? mentee : mentor, at: start + i * 7 * 3_600_000 },
    { sender: i % 3 ? loner : other, receiver: i % 3 ? other : loner, at: start + i * 5 * 3_600_000 },
  ]);
  const outcomes = await store.messages.importHistory(
    messages.map((message, i) => ({
      externalId: `m${i}`,
      senderEmail: message.sender.email,
      receiverEmail: message.receiver.email,
      content: `message ${i}`,
      createdAt: new Date(message.at),
      isRead: true,
    })),
  );
  assert.ok(outcomes.every((outcome) => outcome === 'created'));
}

async function figures(store: Store) {
  const counts = await store.programme.pairCounts();
  const ids = counts.map((pair) => pair.pairId);
  return { counts, days: await store.programme.days(ids, 0), replies: await store.programme.replies(ids, new Date(0)), weeks: await store.programme.weeks(0) };
}

describe('pair health backfill', () => {
  it('on SQLite counts what the trigger counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-backfill-'));
    const path = join(dir, 'tandem.db');
    try {
      let store: Store = await SqliteStore.open(path);
      await writeHistory(store);
      const byTrigger = await figures(store);
      await store.close();
      const raw = new Database(path);
      for (const statement of DROP) raw.exec(statement);
      raw.exec('DELETE FROM schema_migrations WHERE version = 16');
      raw.close();
      store = await SqliteStore.open(path);
      assert.deepEqual(await figures(store), byTrigger);
      assert.ok(byTrigger.replies.length > 10 && byTrigger.counts.every((pair) => pair.recentCount === 20));
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  withBackends('pair health backfill', { postgres: true }, () => {
    it('on PostgreSQL counts what the trigger counted', async () => {
      const db = await freshDatabase();
      try {
        let store: Store = await PostgresStore.open({ url: db.url, poolSize: 2 });
        await writeHistory(store);
        const byTrigger = await figures(store);
        await store.close();
        const raw = new pg.Client({ connectionString: db.url });
        await raw.connect();
        await raw.query(DROP.map((statement) => (statement.startsWith('DROP TRIGGER') ? `${statement} ON messages` : statement)).join('; '));
        await raw.query('DROP FUNCTION keep_pair_health(); DELETE FROM schema_migrations WHERE version = 16');
        await raw.end();
        store = await PostgresStore.open({ url: db.url, poolSize: 2 });
        assert.deepEqual(await figures(store), byTrigger);
        await store.close();
      } finally {
        await db.drop();
      }
    });
  });
});
