/**
 * The backups a running instance makes of its own SQLite database (`BACKUP_DIR`): one at
 * start, then one every `BACKUP_INTERVAL_MINUTES` counted from the end of the previous one, so
 * two never overlap; each a checked copy (see `backupSqlite`) named by its time,
 * `tandem-<UTC time>.db`, after which all but the newest `BACKUP_KEEP` are removed. A failed
 * backup is counted and logged and removes nothing.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordBackupFailure, recordBackupSuccess } from '../metrics.js';
import { backupSqlite, type BackupResult } from '../store/index.js';

/** The names this schedule writes, and the only ones it ever removes. */
const BACKUP_NAME = /^tandem-\d{8}T\d{9}Z\.db$/;

export interface BackupScheduleOptions {
  /** The SQLite database file to back up. */
  database: string;
  dir: string;
  intervalMs: number;
  keep: number;
  onError: (error: unknown, context: string) => void;
  onBackup?: (result: BackupResult) => void;
}

/** `tandem-20261207T172403123Z.db`: sorts by time as text. */
export function backupName(at: Date): string {
  return `tandem-${at.toISOString().replaceAll('-', '').replaceAll(':', '').replace('.', '')}.db`;
}

export class BackupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<BackupResult | null> | null = null;
  private stopped = false;

  constructor(private readonly options: BackupScheduleOptions) {}

  /** The first backup now, the next ones each interval after the one before finished. */
  start(): void {
    void this.runOnce().finally(() => this.schedule());
  }

  /** One backup and the pruning after it; null when it failed (counted and logged). A run in progress is joined. */
  runOnce(): Promise<BackupResult | null> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** Starts no more backups; resolves once one in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.runOnce().finally(() => this.schedule()), this.options.intervalMs);
    this.timer.unref();
  }

  private async run(): Promise<BackupResult | null> {
    const { database, dir, keep } = this.options;
    try {
      mkdirSync(dir, { recursive: true });
      const result = await backupSqlite(database, join(dir, backupName(new Date())));
      recordBackupSuccess(new Date(), result.ms, result.bytes);
      this.options.onBackup?.(result);
      prune(dir, keep);
      return result;
    } catch (error) {
      recordBackupFailure();
      this.options.onError(error, 'the scheduled backup failed');
      return null;
    }
  }
}

/** Removes all but the newest `keep` backups of `dir` (by name, which is by time). */
export function prune(dir: string, keep: number): string[] {
  const names = readdirSync(dir)
    .filter((name) => BACKUP_NAME.test(name))
    .sort();
  const old = names.slice(0, Math.max(0, names.length - keep));
  for (const name of old) rmSync(join(dir, name), { force: true });
  return old;
}
