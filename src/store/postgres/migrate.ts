/** PostgresStore's migrations: the shared runner over node-postgres, serialized across instances. */
import type pg from 'pg';
import { MIGRATIONS } from '../migrations/index.js';
import { runMigrations } from '../migrations/runner.js';
import { inTransaction, rowsOf } from './pool.js';

/**
 * The migrations not yet applied, each in its own transaction. The advisory lock makes
 * instances starting together take turns; each re-reads what is applied once it holds the lock.
 */
export function migrate(pool: pg.Pool): Promise<void> {
  return runMigrations<pg.PoolClient>(
    {
      transaction: (body) =>
        inTransaction(pool, async (tx) => {
          await tx.query("SELECT pg_advisory_xact_lock(hashtext('tandem.schema_migrations'))");
          await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
          await body(tx);
        }),
      isApplied: async (tx, version) => (await rowsOf(tx, 'SELECT 1 FROM schema_migrations WHERE version = $1', [version])).length > 0,
      // A constant script of several statements: the simple protocol runs it as one.
      apply: async (tx, migration) => void (await tx.query(migration.postgres)),
      record: async (tx, migration) =>
        void (await rowsOf(tx, 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())', [migration.version, migration.name])),
    },
    MIGRATIONS,
  );
}
