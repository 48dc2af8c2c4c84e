/**
 * The online backup of an SQLite store (see `backupSqlite` in store/index.ts): SQLite's backup
 * API through better-sqlite3, in a worker thread (backup-worker.ts), from a connection of its own that holds one read transaction
 * for the whole copy. In WAL mode that transaction is a snapshot: the copy is the database as
 * it was when the backup began, every commit before it included (an acknowledged message is
 * committed), none after it, and writers go on meanwhile — their commits neither restart the
 * copy nor wait for it. The copy goes to a temporary name beside the destination, is checked
 * with `PRAGMA integrity_check` (in a worker too), made a single file (rollback journal, no WAL beside it),
 * flushed to disk, and only then renamed over the destination; a copy that fails the check is
 * removed and the destination is left as it was.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { renameSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { basename, dirname, join } from 'node:path';
import { BackupCheckError, type BackupOptions, type BackupResult } from '../backup-types.js';
import type { BackupTask } from './backup-worker.js';

export async function backupSqliteFile(source: string, destination: string, options: BackupOptions = {}): Promise<BackupResult> {
  const started = Date.now();
  const temporary = join(dirname(destination), `.${basename(destination)}.${randomBytes(6).toString('hex')}.partial`);
  try {
    const { pages } = await inWorker<{ pages: number }>({ task: 'copy', source, destination: temporary, pagesPerStep: options.pagesPerStep ?? 64 });
    options.afterCopy?.(temporary);
    const { problems } = await inWorker<{ problems: string[] }>({ task: 'check', path: temporary });
    if (problems.length > 0) throw new BackupCheckError(problems);
    await syncFile(temporary);
    renameSync(temporary, destination);
    await syncFile(dirname(destination));
    return { path: destination, pages, bytes: statSync(destination).size, ms: Date.now() - started };
  } catch (error) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(temporary + suffix, { force: true });
    throw error;
  }
}

/** Runs `task` in a worker thread (backup-worker.ts); its answer, or its failure as an Error. */
async function inWorker<T>(task: BackupTask): Promise<T> {
  const worker = new Worker(new URL('./backup-worker.js', import.meta.url), { workerData: task });
  try {
    const answered = once(worker, 'message').then(([reply]) => reply as { ok: true; answer: T } | { ok: false; message: string });
    const stopped = once(worker, 'exit').then(([code]) => ({
      ok: false as const,
      message: `the backup worker stopped before answering (exit ${String(code)})`,
    }));
    const reply = await Promise.race([answered, stopped]);
    if (!reply.ok) throw new Error(reply.message);
    return reply.answer;
  } finally {
    await worker.terminate();
  }
}

/** fsync of a file or directory (on the thread pool): the rename is durable only once the directory entry is. */
async function syncFile(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    await file.sync();
  } finally {
    await file.close();
  }
}
