/** SqliteStore's word list changes (see word-list-types.ts). */
import type Database from 'better-sqlite3';
import type { WordListChange, WordListStore } from './word-list-types.js';

export class SqliteWordList implements WordListStore {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    this.sql = {
      all: db.prepare('SELECT phrase, listed, changed_at FROM moderation_words ORDER BY changed_at, phrase'),
      set: db.prepare('INSERT INTO moderation_words (phrase, listed, changed_at) VALUES (?, ?, ?) ON CONFLICT (phrase) DO UPDATE SET listed = excluded.listed, changed_at = excluded.changed_at'),
    };
  }

  async wordListChanges(): Promise<WordListChange[]> {
    const rows = this.sql.all.all() as Array<{ phrase: string; listed: number; changed_at: number }>;
    return rows.map((row) => ({ phrase: row.phrase, listed: row.listed === 1, changedAt: new Date(row.changed_at) }));
  }

  async changeWordList(add: readonly string[], remove: readonly string[]): Promise<void> {
    const now = Date.now();
    this.db.transaction(() => {
      for (const phrase of add) this.sql.set.run(phrase, 1, now);
      for (const phrase of remove) this.sql.set.run(phrase, 0, now);
    }).immediate();
  }
}
