/** The settings of backups and of the erasure log (see config-table.ts and docs/backups.md). */
import type { Setting } from './config-types.js';

const BACKUPS = 'Backups and restores';

export const BACKUP_SETTINGS = [
  {
    name: 'BACKUP_DIR',
    type: 'string',
    area: BACKUPS,
    default: null,
    unset: 'no scheduled backups',
    allowed: 'a directory (made if missing); SQLite only',
    meaning: 'where the instance writes its own checked backups of the SQLite database, `tandem-<time>.db`; refused with a PostgreSQL `DATABASE_URL`',
  },
  {
    name: 'BACKUP_INTERVAL_MINUTES',
    type: 'integer',
    unit: 'minutes',
    area: BACKUPS,
    default: '60',
    min: 1,
    max: 10_080,
    meaning: 'with `BACKUP_DIR`: a backup at start and then every this many minutes (never two at once)',
  },
  {
    name: 'BACKUP_KEEP',
    type: 'integer',
    area: BACKUPS,
    default: '48',
    min: 1,
    max: 100_000,
    meaning: 'with `BACKUP_DIR`: how many of the newest backups are kept; older ones are removed after each good backup',
  },
  {
    name: 'ERASURE_LOG',
    type: 'string',
    area: BACKUPS,
    default: null,
    unset: 'SQLite: `<database file>.erasures`; PostgreSQL: none',
    allowed: 'a file path, or `off`',
    meaning:
      'the append-only log of erased user ids kept beside the database; at start every erasure in it that the store does not show is applied again (a restore never brings an erased user back)',
  },
] as const satisfies readonly Setting[];
