/**
 * The Store's entry point: its types and helpers (types.ts), and `openStore`, which loads
 * the engine the configuration names.
 */
import type { DatabaseConfig } from '../config.js';
import type { Store } from './types.js';

export * from './types.js';

/** Opens the store the configuration names, migrated to the latest schema. */
export async function openStore(config: DatabaseConfig): Promise<Store> {
  switch (config.kind) {
    case 'sqlite': {
      const { SqliteStore } = await import('./sqlite.js');
      return SqliteStore.open(config.path);
    }
    case 'postgres': {
      const { PostgresStore } = await import('./postgres.js');
      return PostgresStore.open(config);
    }
  }
}
