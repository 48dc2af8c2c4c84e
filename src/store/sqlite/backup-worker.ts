/**
 * The two halves of a backup (see backup.ts), each run in a worker thread of its own so that
 * neither holds the event loop of the Tandem that backs itself up: `copy`, SQLite's online
 * backup from a connection holding one read snapshot (its steps, and the flush of the copy at
 * the end, are synchronous in better-sqlite3), and `check`, `PRAGMA integrity_check`, which
 * reads every page of the copy. The worker posts its answer and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** What a worker is asked: the copy of `source` to `destination`, or the check of `path`. */
export type BackupTask = { task: 'copy'; source: string; destination: string; pagesPerStep: number } | { task: 'check'; path: string };

/** The pages copied. The copy holds every commit made before it began, none after. */
async function copy(source: string, destination: string, pagesPerStep: number): Promise<number> {
  // fileMustExist: a wrong path is an error, not a new empty database that backs up nothing.
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('BEGIN');
    // The first read starts the snapshot the whole copy comes from; writers go on meanwhile.
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    const { totalPages } = await db.backup(destination, { progress: () => pagesPerStep });
    db.exec('COMMIT');
    return totalPages;
  } finally {
    db.close();
  }
}

/** The copy's integrity_check problems (none: it passed); a copy that passed is left as one file in rollback-journal mode. */
export function checkCopy(path: string): string[] {
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

async function run(task: BackupTask): Promise<unknown> {
  return task.task === 'copy' ? { pages: await copy(task.source, task.destination, task.pagesPerStep) } : { problems: checkCopy(task.path) };
}

if (parentPort !== null) {
  const port = parentPort;
  run(workerData as BackupTask).then(
    (answer) => port.postMessage({ ok: true, answer }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
