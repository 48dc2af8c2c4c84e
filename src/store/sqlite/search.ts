/**
 * SqliteStore's search (see SearchStore in search.ts): an FTS5 index over the messages
 * table's own text (external content: no second copy), with the porter stemmer over
 * unicode61 folding case and diacritics; triggers (migration 013) keep it in step with every
 * insert, change and delete of a message, in the same transaction.
 */
import { fts5Query } from '../../protocol/search-query.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import type { SearchHit, SearchStore } from '../types.js';
import type { SqliteContext } from './context.js';
import { transaction } from './tx.js';

const COLUMNS = MESSAGE_COLUMNS.split(', ')
  .map((column) => `m.${column}`)
  .join(', ');

export class SqliteSearch implements SearchStore {
  private readonly sql;

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      find: p(`SELECT ${COLUMNS}, highlight(message_search, 0, char(1), char(2)) AS marked
               FROM message_search JOIN messages m ON m.id = message_search.rowid
               WHERE message_search MATCH ? AND m.pair_id = ? AND m.id < ? AND m.kind = 'message' AND m.searchable = 1
               ORDER BY m.id DESC LIMIT ?`),
    };
  }

  async find(pairId: number, terms: readonly string[], limit: number, beforeId?: number): Promise<SearchHit[]> {
    if (terms.length === 0) return [];
    const rows = this.sql.find.all(fts5Query(terms), pairId, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as Array<MessageRow & { marked: string }>;
    return rows.map((row) => ({ message: toMessage(row), marked: row.marked }));
  }

  async forgetMessage(messageId: number): Promise<boolean> {
    return transaction(this.context.db, (tx) => this.context.links.forget(tx, messageId));
  }
}

/**
 * Merges the index's segments into one, so that entries deleted since (an erasure's words)
 * no longer lie in older segments; with `secure_delete` on, the freed pages are zeroed.
 */
export function optimizeSearch(context: SqliteContext): void {
  context.db.exec("INSERT INTO message_search (message_search) VALUES ('optimize')");
}
