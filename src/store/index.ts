/**
 * The Store's entry point: its types and helpers (types.ts), and `openStore`, which loads
 * the engine the configuration names.
 */
import type { DatabaseConfig } from '../config.js';
import { isPostgresUnavailable, isSqliteUnavailable } from './backend-errors.js';
import { guardStore } from './guard.js';
import type { BackupOptions, BackupResult } from './backup-types.js';
import type { CopySide } from './copy-side.js';
import type { OutboxOptions, Store } from './types.js';

export * from './types.js';
export { wrapStore } from './wrap.js';

/** How the opened store bounds its calls, and whom it tells of a failed background retry. */
export interface StoreOptions {
  /** On PostgreSQL, every call but `close` answers `unavailable` once it has taken this long (see `guardStore`). */
  timeoutMs: number;
  /** Called with each failed attempt to reach a database that was unreachable at start. */
  onRetry?: (error: unknown) => void;
  /** Whether causes write their webhook events (see OutboxOptions); absent or null: no events. */
  outbox?: OutboxOptions | null;
}

/**
 * Opens the store the configuration names, migrated to the latest schema — or, for a
 * PostgreSQL that cannot be reached yet, answering `unavailable` until it has migrated it.
 */
export async function openStore(config: DatabaseConfig, options: StoreOptions): Promise<Store> {
  switch (config.kind) {
    case 'sqlite': {
      const { SqliteStore } = await import('./sqlite/index.js');
      // No deadline: SQLite answers synchronously, or at the group commit of the next turn.
      return guardStore(await SqliteStore.open(config.path, options.outbox ?? null), { timeoutMs: null, isUnavailable: isSqliteUnavailable });
    }
    case 'postgres': {
      const { PostgresStore } = await import('./postgres/index.js');
      return guardStore(await PostgresStore.open({ ...config, ...options }), { timeoutMs: options.timeoutMs, isUnavailable: isPostgresUnavailable });
    }
  }
}

export { BackupCheckError, type BackupOptions, type BackupResult } from './backup-types.js';
export type { CopySide } from './copy-side.js';

/**
 * Writes a checked copy of the SQLite database at `path` to `destination` while other
 * connections (a running Tandem) go on writing; see sqlite/backup.ts. Rejects with
 * BackupCheckError when the copy fails `integrity_check` (nothing is left at `destination`).
 */
export async function backupSqlite(path: string, destination: string, options: BackupOptions = {}): Promise<BackupResult> {
  const { backupSqliteFile } = await import('./sqlite/backup.js');
  return backupSqliteFile(path, destination, options);
}

/** One end of a move between stores (see move.ts), on a database already migrated by `openStore`. */
export async function openCopySide(config: DatabaseConfig): Promise<CopySide> {
  switch (config.kind) {
    case 'sqlite': {
      const { SqliteCopySide } = await import('./sqlite/copy-side.js');
      return new SqliteCopySide(config.path);
    }
    case 'postgres': {
      const { PostgresCopySide } = await import('./postgres/copy-side.js');
      return PostgresCopySide.open(config.url);
    }
  }
}
