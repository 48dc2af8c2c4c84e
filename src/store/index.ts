/**
 * The Store's entry point: its types and helpers (types.ts), and `openStore`, which loads
 * the engine the configuration names.
 */
import type { DatabaseConfig } from '../config.js';
import { withDeadlines } from './deadline.js';
import type { Store } from './types.js';

export * from './types.js';

/** How the opened store bounds its calls, and whom it tells of a failed background retry. */
export interface StoreOptions {
  /** Every call but `close` answers `unavailable` once it has taken this long. */
  timeoutMs: number;
  /** Called with each failed attempt to reach a database that was unreachable at start. */
  onRetry?: (error: unknown) => void;
}

/**
 * Opens the store the configuration names, migrated to the latest schema — or, for a
 * PostgreSQL that cannot be reached yet, answering `unavailable` until it has migrated it.
 */
export async function openStore(config: DatabaseConfig, options: StoreOptions): Promise<Store> {
  switch (config.kind) {
    case 'sqlite': {
      const { SqliteStore } = await import('./sqlite.js');
      return withDeadlines(await SqliteStore.open(config.path), options.timeoutMs);
    }
    case 'postgres': {
      const { PostgresStore } = await import('./postgres.js');
      return withDeadlines(await PostgresStore.open({ ...config, ...options }), options.timeoutMs);
    }
  }
}
