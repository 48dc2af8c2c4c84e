/**
 * Every table the migrations make, on both engines, is in move-store's list
 * (src/store/copy-tables.ts): copied, or marked rebuilt or skipped with why. A migration that
 * adds a table and forgets the list fails here, naming the table — before a programme moves
 * to PostgreSQL and leaves that table's rows behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TABLE_PLAN } from '../src/store/copy-tables.js';
import { openCopySide, openStore, type CopySide } from '../src/store/index.js';
import type { DatabaseConfig } from '../src/config.js';
import { freshDatabase, withBackends } from './helpers/backends.js';
import { tempDir } from './helpers/server.js';
import { runOperation } from './helpers/store-files.js';

async function tablesOf(config: DatabaseConfig): Promise<{ tables: string[]; side: CopySide }> {
  await (await openStore(config, { timeoutMs: 10_000 })).close();
  const side = await openCopySide(config);
  return { tables: await side.tables(), side };
}

function checkAgainstPlan(engine: string, tables: string[]): void {
  const planned = TABLE_PLAN.map((table) => table.name);
  assert.deepEqual(
    tables.filter((name) => !planned.includes(name)),
    [],
    `tables of the ${engine} schema that src/store/copy-tables.ts does not list (add each, copied or with why not)`,
  );
  const elsewhere = new Set(
    TABLE_PLAN.filter((table) => 'only' in table && table.only !== undefined && table.only !== (engine === 'SQLite' ? 'sqlite' : 'postgres')).map(
      (table) => table.name,
    ),
  );
  assert.deepEqual(
    planned.filter((name) => !tables.includes(name) && !elsewhere.has(name)),
    [],
    `tables src/store/copy-tables.ts lists that the ${engine} schema does not have`,
  );
  for (const table of TABLE_PLAN) if (table.copy !== 'rows') assert.ok(table.why.length > 10, `${table.name} says why it is not copied`);
}

withBackends('move-store knows every table', { postgres: true }, () => {
  describe('move-store knows every table', () => {
    it('SQLite: every table of the migrated schema is in the list, and every listed table exists', async (t) => {
      const { tables, side } = await tablesOf({ kind: 'sqlite', path: join(tempDir(t), 'tandem.db') });
      await side.close();
      checkAgainstPlan('SQLite', tables);
    });

    it('PostgreSQL: every table of the migrated schema is in the list, and every listed table exists', async (t) => {
      const database = await freshDatabase();
      t.after(database.drop);
      const { tables, side } = await tablesOf({ kind: 'postgres', url: database.url, poolSize: 2 });
      await side.close();
      checkAgainstPlan('PostgreSQL', tables);
    });

    it('a copied table is copied after the tables it references', () => {
      const order = TABLE_PLAN.map((table) => table.name);
      const before = (a: string, b: string) => assert.ok(order.indexOf(a) < order.indexOf(b), `${a} before ${b}`);
      before('users', 'pairs');
      before('pairs', 'messages');
      before('messages', 'held_messages');
      before('messages', 'reports');
      before('pairs', 'webhook_events');
    });
  });
});

describe('npm run move-store refuses what it cannot do, saying why', () => {
  it('wrong arguments, a missing source, the same store twice: exit 2 with the reason and the usage', async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.db');
    await (await openStore({ kind: 'sqlite', path: source }, { timeoutMs: 10_000 })).close();
    const cases: Array<[string[], RegExp]> = [
      [[], /give the store to copy from and the store to copy to/],
      [[`sqlite:${source}`], /give the store to copy from and the store to copy to/],
      [[`sqlite:${source}`, `sqlite:${join(dir, 'to.db')}`, '--fast'], /unknown option --fast/],
      [[`sqlite:${source}`, `sqlite:${join(dir, 'to.db')}`, '--batch', '0'], /--batch takes an integer from 1 to 100000/],
      [[`sqlite:${source}`, 'mysql://db/tandem'], /a store must start with sqlite: or postgres:\/\//],
      [[`sqlite:${join(dir, 'none.db')}`, `sqlite:${join(dir, 'to.db')}`], /there is no database at/],
      [[`sqlite:${source}`, `sqlite:${join(dir, '.', 'source.db')}`], /the two stores are the same/],
    ];
    for (const [args, reason] of cases) {
      const run = await runOperation('move-store', args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, reason);
      assert.match(run.stderr, /usage: npm run move-store --/);
    }
    assert.equal(existsSync(join(dir, 'none.db')), false, 'no empty source is made');
    assert.equal(existsSync(join(dir, 'to.db')), false, 'no target is made for a refused move');
  });

  it('a table that is not in the list stops the move before anything is copied, naming it', async (t) => {
    const dir = tempDir(t);
    const source = join(dir, 'source.db');
    const target = join(dir, 'target.db');
    await (await openStore({ kind: 'sqlite', path: source }, { timeoutMs: 10_000 })).close();
    await (await openStore({ kind: 'sqlite', path: target }, { timeoutMs: 10_000 })).close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(source);
    db.exec('CREATE TABLE message_bookmarks (id INTEGER PRIMARY KEY, message_id INTEGER NOT NULL)');
    db.close();
    const run = await runOperation('move-store', [`sqlite:${source}`, `sqlite:${target}`]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /tables move-store does not know \(message_bookmarks\): add them to src\/store\/copy-tables\.ts/);
  });
});
