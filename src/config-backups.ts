/** `BACKUP_*` and `ERASURE_LOG` read into Config (see config-table-backups.ts). */
import type { SettingsReader } from './config-read.js';
import type { BackupConfig, DatabaseConfig } from './config-types.js';

const MINUTE_MS = 60_000;

/** The backups and the erasure log's path; problems for a combination that cannot work. */
export function parseBackups(read: SettingsReader, database: DatabaseConfig, problems: string[]): { backups: BackupConfig | null; erasureLog: string | null } {
  const dir = read.text('BACKUP_DIR');
  const intervalMs = read.integer('BACKUP_INTERVAL_MINUTES') * MINUTE_MS;
  const keep = read.integer('BACKUP_KEEP');
  let backups: BackupConfig | null = null;
  if (database.kind === 'postgres') {
    const set = (['BACKUP_DIR', 'BACKUP_INTERVAL_MINUTES', 'BACKUP_KEEP'] as const).filter((name) => read.isSet(name));
    if (set.length > 0) {
      problems.push(
        `${set.join(', ')} ${set.length > 1 ? 'are' : 'is'} set, but DATABASE_URL is PostgreSQL: Tandem backs up SQLite only; ` +
          'back PostgreSQL up with its own tools (pg_dump, or base backups with WAL archiving: see docs/backups.md)',
      );
    }
  } else if (dir !== null && database.path === ':memory:') {
    problems.push('BACKUP_DIR is set, but DATABASE_URL is sqlite::memory:, which has no file to back up');
  } else if (dir !== null) {
    backups = { dir, intervalMs, keep };
  }
  const log = read.text('ERASURE_LOG');
  let erasureLog: string | null;
  if (log === null) erasureLog = database.kind === 'sqlite' && database.path !== ':memory:' ? `${database.path}.erasures` : null;
  else erasureLog = log.toLowerCase() === 'off' ? null : log;
  return { backups, erasureLog };
}
