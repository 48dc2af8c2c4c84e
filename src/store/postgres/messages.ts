/**
 * PostgresStore's messages (see MessageStore in messages.ts). A resolved `append` is
 * committed. Appends that arrive in one event-loop turn are committed together in one
 * transaction (group commit, append.ts); the pair row lock taken in that transaction keeps
 * `seq` contiguous across connections and instances.
 */
import type { AppError } from '../../errors.js';
import { GroupCommit } from '../group-commit.js';
import { MESSAGE_COLUMNS, toConversation, toHistoryPage, toMessage, type ConversationRow, type MessageRow } from '../rows.js';
import { HELD_COLUMNS, toHeld, type HeldRow } from '../safeguarding-rows.js';
import type {
  AppendResult,
  Conversation,
  ConversationOptions,
  HeldMessage,
  HistoryCursor,
  HistoryPage,
  ImportedMessage,
  ImportOutcome,
  Message,
  MessageStore,
  NewMessage,
  ReadResult,
} from '../types.js';
import { appendBatch } from './append.js';
import { isRetryable } from './errors.js';
import { importBatch } from './import.js';
import { inTransaction, rowsOf } from './pool.js';
import type { PostgresContext } from './context.js';

export class PostgresMessages implements MessageStore {
  /**
   * One append's bad data aborts the whole batch transaction, so such a batch is retried
   * one append at a time and only the faulty one fails. Any other error (a lost connection:
   * the outcome is unknown) fails the batch.
   */
  private readonly appends = new GroupCommit<NewMessage, AppendResult>({
    commit: (batch): Promise<Array<AppendResult | AppError>> => inTransaction(this.context.pool(), (tx) => appendBatch(tx, batch, this.context.events.outbox)),
    retryAlone: isRetryable,
  });

  constructor(private readonly context: PostgresContext) {}

  append(message: NewMessage): Promise<AppendResult> {
    return this.appends.push(message);
  }

  async appendUnlessHeld(message: NewMessage): Promise<AppendResult | { held: HeldMessage }> {
    if (message.clientId) {
      const [row] = await rowsOf<HeldRow>(
        this.context.pool(),
        `SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = $1 AND sender_id = $2 AND client_id = $3`,
        [message.pairId, message.senderId, message.clientId],
      );
      if (row && row.status !== 'approved') return { held: toHeld(row) };
    }
    return this.append(message);
  }

  /** Resolves once every queued append is settled. */
  drain(): Promise<void> {
    return this.appends.drain();
  }

  async importHistory(messages: readonly ImportedMessage[]): Promise<ImportOutcome[]> {
    if (messages.length === 0) return [];
    return inTransaction(this.context.pool(), (tx) => importBatch(tx, messages));
  }

  async history(pairId: number, { before, after, limit }: HistoryCursor): Promise<HistoryPage> {
    const forward = after !== undefined;
    const rows = await rowsOf<MessageRow>(
      this.context.pool(),
      `
      SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND id > $2 AND id < $3
      ORDER BY id ${forward ? 'ASC' : 'DESC'} LIMIT $4`,
      [pairId, after ?? 0, before ?? Number.MAX_SAFE_INTEGER, limit + 1],
    );
    return toHistoryPage(rows, limit, forward);
  }

  async after(pairId: number, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await rowsOf<MessageRow>(
      this.context.pool(),
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [pairId, afterSeq, limit],
    );
    return rows.map(toMessage);
  }

  async before(pairId: number, beforeSeq: number, limit: number): Promise<Message[]> {
    const rows = await rowsOf<MessageRow>(
      this.context.pool(),
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
      [pairId, beforeSeq, limit],
    );
    return rows.map(toMessage).reverse();
  }

  async upTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]> {
    const pool = this.context.pool();
    const rows =
      'id' in upto
        ? await rowsOf<MessageRow>(
            pool,
            `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND kind = 'message' AND id <= $2 ORDER BY id DESC LIMIT $3`,
            [pairId, upto.id, limit],
          )
        : await rowsOf<MessageRow>(
            pool,
            `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND kind = 'message' AND created_at <= $2 ORDER BY id DESC LIMIT $3`,
            [pairId, upto.at, limit],
          );
    return rows.map(toMessage).reverse();
  }

  async byId(id: number): Promise<Message | null> {
    const [row] = await rowsOf<MessageRow>(this.context.pool(), `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`, [id]);
    return row ? toMessage(row) : null;
  }

  async lastSeqs(pairIds: readonly number[]): Promise<Map<number, number>> {
    const ids = pairIds.filter(Number.isSafeInteger);
    if (ids.length === 0) return new Map();
    const rows = await rowsOf<{ id: number; last_seq: number }>(this.context.pool(), 'SELECT id, last_seq FROM pairs WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }

  async markRead(pairId: number, readerId: number): Promise<ReadResult> {
    const [row] = await rowsOf<{ count: number; last_read_id: number | null }>(
      this.context.pool(),
      `
      WITH marked AS (
        UPDATE messages SET is_read = TRUE
        WHERE pair_id = $1 AND sender_id <> $2 AND NOT is_read AND kind = 'message'
          AND EXISTS (SELECT 1 FROM pairs WHERE id = $1 AND active AND (mentor_id = $2 OR mentee_id = $2))
        RETURNING id),
      reminder AS (
        UPDATE webhook_events SET status = 'cancelled', finished_at = now()
        WHERE pair_id = $1 AND recipient_id = $2 AND status = 'pending' AND EXISTS (SELECT 1 FROM marked))
      SELECT count(*) AS count, max(id) AS last_read_id FROM marked`,
      [pairId, readerId],
    );
    return { count: row!.count, lastReadId: row!.last_read_id };
  }

  async unreadCount(pairId: number, readerId: number): Promise<number> {
    const [row] = await rowsOf<{ n: number }>(
      this.context.pool(),
      "SELECT count(*) AS n FROM messages WHERE pair_id = $1 AND sender_id <> $2 AND NOT is_read AND kind = 'message'",
      [pairId, readerId],
    );
    return row!.n;
  }

  async conversations(userId: number, options: ConversationOptions = {}): Promise<Conversation[]> {
    const rows = await rowsOf<ConversationRow>(
      this.context.pool(),
      `
      SELECT p.id AS pair_id, p.active, p.paused, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at,
             m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.content AS m_content,
             m.created_at AS m_created_at, m.is_read AS m_is_read, m.client_id AS m_client_id, m.deleted_at IS NOT NULL AS m_deleted,
             m.attachments AS m_attachments,
             (SELECT count(*) FROM messages x WHERE x.pair_id = p.id AND x.sender_id = u.id AND NOT x.is_read) AS unread_count
      FROM pairs p
      JOIN users u ON u.id = CASE WHEN p.mentor_id = $1 THEN p.mentee_id ELSE p.mentor_id END
      LEFT JOIN messages m ON m.id = (SELECT max(id) FROM messages n WHERE n.pair_id = p.id AND n.kind = 'message')
      WHERE (p.active OR p.ended_at > $2) AND (p.mentor_id = $1 OR p.mentee_id = $1)
      ORDER BY p.active DESC, COALESCE(m.created_at, p.matched_at) DESC, p.id DESC`,
      [userId, options.endedSince ?? null],
    );
    return rows.map(toConversation);
  }
}
