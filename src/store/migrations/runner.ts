/**
 * What a migration is, and the one loop that applies them: each migration not yet applied
 * is applied and recorded in `schema_migrations` in a transaction of its own, so that a
 * failed one leaves the schema at the previous version.
 */

/** One schema version, with one script per SQL dialect describing the same schema. */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** The primitives an engine supplies, each run inside the transaction `transaction` opened. */
export interface MigrationBackend<Tx> {
  /**
   * Runs `body` in a transaction of its own in which `schema_migrations` exists, and
   * commits it once `body` resolves; rolls it back when `body` rejects.
   */
  transaction(body: (tx: Tx) => Promise<void>): Promise<void>;
  /** Whether `version` is recorded in `schema_migrations`. */
  isApplied(tx: Tx, version: number): Promise<boolean>;
  /** Runs the migration's script for this dialect. */
  apply(tx: Tx, migration: Migration): Promise<void>;
  /** Records the migration in `schema_migrations`. */
  record(tx: Tx, migration: Migration): Promise<void>;
}

/** Applies, in order, each of `migrations` that is not applied yet; rejects at the first that fails. */
export async function runMigrations<Tx>(backend: MigrationBackend<Tx>, migrations: readonly Migration[]): Promise<void> {
  for (const migration of migrations) {
    await backend.transaction(async (tx) => {
      if (await backend.isApplied(tx, migration.version)) return;
      await backend.apply(tx, migration);
      await backend.record(tx, migration);
    });
  }
}
