/**
 * Every table the migrations make, on both engines, is in move-store's list
 * (src/store/copy-tables.ts): copied, or marked rebuilt or skipped with why. A migration that
 * adds a table and forgets the list fails here, naming the table — before a programme moves
 * to PostgreSQL and leaves that table's rows behind.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TABLE_PLAN } from '../src/store/copy-tables.js';
import { openCopySide, openStore, type CopySide } from '../src/store/index.js';
import type { DatabaseConfig } from '../src/config.js';
import { freshDatabase, withBackends } from './helpers/backends.js';
import { tempDir } from './helpers/server.js';

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
  assert.deepEqual(
    planned.filter((name) => !tables.includes(name)),
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
