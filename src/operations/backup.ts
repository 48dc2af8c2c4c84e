/**
 * `npm run backup -- <file>`: a checked copy of the SQLite database that DATABASE_URL names,
 * taken while Tandem runs on it (see `backupSqlite`). Exits 0 with the copy at `<file>`, 1 when
 * the copy failed `integrity_check` (nothing is written at `<file>`), 2 when it could not run.
 */
import { existsSync } from 'node:fs';
import { loadConfig } from '../config.js';
import { BackupCheckError, backupSqlite } from '../store/index.js';

async function main(): Promise<number> {
  const file = process.argv[2];
  if (!file || process.argv.length > 3) {
    process.stderr.write('usage: npm run backup -- <file>   (the database is the one DATABASE_URL names)\n');
    return 2;
  }
  const config = loadConfig();
  if (config.database.kind !== 'sqlite') {
    process.stderr.write('DATABASE_URL is PostgreSQL: back it up with its own tools (pg_dump, or base backups with WAL archiving; see docs/backups.md)\n');
    return 2;
  }
  const { path } = config.database;
  if (!existsSync(path)) {
    process.stderr.write(`there is no database at ${path} (DATABASE_URL)\n`);
    return 2;
  }
  const result = await backupSqlite(path, file);
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(
    `backed up ${path} to ${result.path}: ${result.pages} pages, ${result.bytes} bytes in ${(result.ms / 1000).toFixed(1)} s, integrity_check ok; peak RSS ${rss} MiB\n`,
  );
  if (config.erasureLog !== null && existsSync(config.erasureLog)) {
    process.stdout.write(`copy the erasure log ${config.erasureLog} off the machine with it (see docs/backups.md)\n`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`backup failed: ${message}\n`);
    process.exit(error instanceof BackupCheckError ? 1 : 2);
  },
);
