/** PostgresStore's word list changes (see word-list-types.ts). */
import type pg from 'pg';
import { inTransaction, rowsOf } from './postgres-pool.js';
import type { WordListChange, WordListStore } from './word-list-types.js';

export class PostgresWordList implements WordListStore {
  constructor(private readonly pool: () => pg.Pool) {}

  async wordListChanges(): Promise<WordListChange[]> {
    const rows = await rowsOf<{ phrase: string; listed: boolean; changed_at: Date }>(this.pool(),
      'SELECT phrase, listed, changed_at FROM moderation_words ORDER BY changed_at, phrase');
    return rows.map((row) => ({ phrase: row.phrase, listed: row.listed, changedAt: row.changed_at }));
  }

  async changeWordList(add: readonly string[], remove: readonly string[]): Promise<void> {
    const phrases = [...add, ...remove];
    if (phrases.length === 0) return;
    await inTransaction(this.pool(), async (tx) => {
      await rowsOf(tx, `
        INSERT INTO moderation_words (phrase, listed, changed_at)
        SELECT phrase, listed, now() FROM unnest($1::text[], $2::boolean[]) AS change(phrase, listed)
        ON CONFLICT (phrase) DO UPDATE SET listed = excluded.listed, changed_at = excluded.changed_at`,
      [phrases, phrases.map((_, index) => index < add.length)]);
    });
  }
}
