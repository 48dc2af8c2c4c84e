/**
 * The online backup of an SQLite store (see `backupSqlite` in store/index.ts): SQLite's backup
 * API through better-sqlite3, from a connection of its own that holds one read transaction
 * for the whole copy. In WAL mode that transaction is a snapshot: the copy is the database as
 * it was when the backup began, every commit before it included (an acknowledged message is
 * committed), none after it, and writers go on meanwhile — their commits neither restart the
 * copy nor wait for it. The copy goes to a temporary name beside the destination, is checked
 * with `PRAGMA integrity_check`, made a single file (rollback journal, no WAL beside it),
 * flushed to disk, and only then renamed over the destination; a copy that fails the check is
 * removed and the destination is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { BackupCheckError, type BackupOptions, type BackupResult } from '../backup-types.js';

export async function backupSqliteFile(source: string, destination: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = Date.now();
  const pagesPerStep = options.pagesPerStep ?? 64;
  const temporary = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.partial`);
  // fileMustExist: a wrong path is an error, not a new empty database that backs up nothing.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
    // The first read starts the snapshot the whole copy comes from.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const { totalPages } = await db.backup(temporary, { progress: () => pagesPerStep });
    db.exec('COMMIT');
    options.afterCopy?.(temporary);
    const problems = check(temporary);
    if (problems.length > 0) throw new BackupCheckError(problems);
    syncFile(temporary);
    renameSync(temporary, destination);
    syncFile(dirname(destination));
    return { path: destination, pages: totalPages, bytes: statSync(destination).size, ms: Date.now() - started };
  } catch (error) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(temporary + suffix, { force: true });
    throw error;
  } finally {
    db.close();
  }
}

/** The copy's integrity_check problems (none: it passed); the copy is left as one file in rollback-journal mode. */
function check(path: string): string[] {
  let copy: Database.Database;
  try {
    copy = new Database(path, { fileMustExist: true });
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  }
  try {
    const rows = copy.pragma('integrity_check') as { integrity_check: string }[];
    const problems = rows.map((row) => row.integrity_check).filter((text) => text !== 'ok');
    // The source's WAL mode is in the copy's header; a backup is one file to copy off the machine.
    if (problems.length === 0) copy.pragma('journal_mode = DELETE');
    return problems;
  } catch (error) {
    return [error instanceof Error ? error.message : String(error)];
  } finally {
    copy.close();
  }
}

/** fsync of a file or directory: the rename is durable only once the directory entry is. */
function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
