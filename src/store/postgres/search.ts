/**
 * PostgresStore's search (see SearchStore in search.ts): the messages' generated `search_doc`
 * (migration 013: the `tandem_search` configuration, English stems over unaccented words)
 * with its GIN index; the words are given to `plainto_tsquery`, which reads no operator.
 */
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../rows.js';
import type { SearchHit, SearchStore } from '../types.js';
import { forgetMessage } from './attachment-links.js';
import { inTransaction, rowsOf } from './pool.js';
import type { PostgresContext } from './context.js';

const COLUMNS = MESSAGE_COLUMNS.split(', ')
  .map((column) => `m.${column}`)
  .join(', ');

// Marks that message text cannot hold (see HIGHLIGHT_START); the whole text is returned, every match marked.
const HEADLINE = `ts_headline('tandem_search', m.content, q, 'StartSel=' || chr(1) || ', StopSel=' || chr(2) || ', HighlightAll=true')`;

export class PostgresSearch implements SearchStore {
  constructor(private readonly context: PostgresContext) {}

  async find(pairId: number, terms: readonly string[], limit: number, beforeId?: number): Promise<SearchHit[]> {
    if (terms.length === 0) return [];
    const rows = await rowsOf<MessageRow & { marked: string }>(
      this.context.pool(),
      `SELECT ${COLUMNS}, ${HEADLINE} AS marked
       FROM messages m, plainto_tsquery('tandem_search', $1) q
       WHERE m.search_doc @@ q AND m.pair_id = $2 AND m.id < $3
       ORDER BY m.id DESC LIMIT $4`,
      [terms.join(' '), pairId, beforeId ?? Number.MAX_SAFE_INTEGER, limit],
    );
    return rows.map((row) => ({ message: toMessage(row), marked: row.marked }));
  }

  async forgetMessage(messageId: number): Promise<boolean> {
    return inTransaction(this.context.pool(), (tx) => forgetMessage(tx, messageId));
  }
}
