/** What an online backup of the store is asked and answers (see `backupSqlite` in index.ts). */

export interface BackupOptions {
  /** Database pages copied per step; between steps the event loop runs (default 64, 256 KiB at 4 KiB pages). */
  pagesPerStep?: number;
  /** Called with the temporary copy before it is checked (tests damage it here). */
  afterCopy?: (temporaryPath: string) => void;
}

export interface BackupResult {
  /** Where the checked copy now is. */
  path: string;
  pages: number;
  bytes: number;
  ms: number;
}

/** A copy that `PRAGMA integrity_check` did not pass; it was removed and nothing was written at the destination. */
export class BackupCheckError extends Error {
  constructor(readonly problems: string[]) {
    super(`the copy failed PRAGMA integrity_check: ${problems.slice(0, 5).join('; ')}`);
    this.name = 'BackupCheckError';
  }
}
