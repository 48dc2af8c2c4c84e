/**
 * SqliteStore's messages (see MessageStore in messages.ts). Appends that arrive in one
 * event-loop turn are committed together in one transaction (group commit), each writing
 * its webhook events in that transaction.
 */
import { AppError } from '../../errors.js';
import { GroupCommit } from '../group-commit.js';
import { HELD_COLUMNS, toHeld, type HeldRow } from '../safeguarding-rows.js';
import { MESSAGE_COLUMNS, USER_COLUMNS, toConversation, toHistoryPage, toMessage, type ConversationRow, type MessageRow, type UserRow } from '../rows.js';
import { OUT_OF_ORDER, previewOf } from '../types.js';
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
  ReplyRef,
} from '../types.js';
import type { SqliteContext } from './context.js';
import { transaction, type SqliteTx } from './tx.js';

type AppendInput = NewMessage & { unlessHeld?: boolean };

/** The reply's reference to a message of the pair (`row`, or none: not one of the pair's messages). */
function replyRef(id: number, row: unknown): ReplyRef | null {
  if (row === undefined) return null;
  const { sender_id, content } = row as { sender_id: number; content: string };
  return { id, senderId: sender_id, preview: previewOf(content) };
}
type AppendOutcome = AppendResult | { held: HeldMessage };

export class SqliteMessages implements MessageStore {
  private readonly sql;
  private readonly appends = new GroupCommit<AppendInput, AppendOutcome>({ commit: async (batch) => this.commitBatch(batch) });

  constructor(private readonly context: SqliteContext) {
    const p = (source: string) => context.db.prepare(source);
    this.sql = {
      senderInActivePair: p('SELECT 1 FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)'),
      byClientId: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND sender_id = ? AND client_id = ?`),
      heldUnapproved: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = ? AND sender_id = ? AND client_id = ? AND status <> 'approved'`),
      // Only the id: the rest of the row is what the append gave, and the columns' defaults.
      insertMessage: p(`INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id, reply_to, reply_sender_id, reply_preview)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`),
      // A deleted or erased message's content is empty already: its preview is too.
      replyTarget: p("SELECT sender_id, content FROM messages WHERE id = ? AND pair_id = ? AND kind = 'message'"),
      pageBack: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND id > ? AND id < ? ORDER BY id DESC LIMIT ?`),
      pageForward: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND id > ? AND id < ? ORDER BY id LIMIT ?`),
      after: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      before: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
      uptoId: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND kind = 'message' AND id <= ? ORDER BY id DESC LIMIT ?`),
      uptoAt: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND kind = 'message' AND created_at <= ? ORDER BY id DESC LIMIT ?`),
      messageById: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = ?`),
      lastSeqs: p('SELECT id, last_seq FROM pairs WHERE id IN (SELECT value FROM json_each(?))'),
      conversations: p(`
        SELECT p.id AS pair_id, p.active, p.paused, ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')},
               m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.content AS m_content,
               m.created_at AS m_created_at, m.is_read AS m_is_read, m.client_id AS m_client_id, m.deleted_at IS NOT NULL AS m_deleted,
               m.attachments AS m_attachments,
               (SELECT count(*) FROM messages x WHERE x.pair_id = p.id AND x.sender_id = u.id AND x.is_read = 0) AS unread_count
        FROM pairs p
        JOIN users u ON u.id = CASE WHEN p.mentor_id = @user THEN p.mentee_id ELSE p.mentor_id END
        LEFT JOIN messages m ON m.id = (SELECT max(id) FROM messages n WHERE n.pair_id = p.id AND n.kind = 'message')
        WHERE (p.active = 1 OR p.ended_at > @since) AND (p.mentor_id = @user OR p.mentee_id = @user)
        ORDER BY p.active DESC, COALESCE(m.created_at, p.matched_at) DESC, p.id DESC`),
      unreadCount: p("SELECT count(*) AS n FROM messages WHERE pair_id = ? AND sender_id <> ? AND is_read = 0 AND kind = 'message'"),
      markRead: p(`UPDATE messages SET is_read = 1 WHERE pair_id = ? AND sender_id <> ? AND is_read = 0 AND kind = 'message'
                   AND EXISTS (SELECT 1 FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)) RETURNING id`),
      byExternalId: p('SELECT 1 FROM messages WHERE external_id = ?'),
      userByEmail: p(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`),
      pairOf: p('SELECT id FROM pairs WHERE mentor_id = ? AND mentee_id = ?'),
      insertPastPair: p('INSERT INTO pairs (mentor_id, mentee_id, active, matched_at, ended_at) VALUES (?, ?, 0, ?, ?) RETURNING id'),
      newestOfPair: p('SELECT m.created_at FROM pairs p JOIN messages m ON m.pair_id = p.id AND m.seq = p.last_seq WHERE p.id = ?'),
      insertImported: p('INSERT INTO messages (pair_id, seq, sender_id, content, created_at, is_read, external_id) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    };
  }

  append(message: NewMessage): Promise<AppendResult> {
    return this.appends.push(message) as Promise<AppendResult>;
  }

  appendUnlessHeld(message: NewMessage): Promise<AppendResult | { held: HeldMessage }> {
    return this.appends.push({ ...message, unlessHeld: true });
  }

  /** Resolves once every queued append is committed. */
  drain(): Promise<void> {
    return this.appends.drain();
  }

  async importHistory(messages: readonly ImportedMessage[]): Promise<ImportOutcome[]> {
    return transaction(this.context.db, (tx) => messages.map((message) => this.importOne(tx, message)));
  }

  private importOne(tx: SqliteTx, message: ImportedMessage): ImportOutcome {
    if (this.sql.byExternalId.get(message.externalId)) return 'unchanged';
    const sender = this.sql.userByEmail.get(message.senderEmail) as UserRow | undefined;
    const receiver = this.sql.userByEmail.get(message.receiverEmail) as UserRow | undefined;
    if (!sender || !receiver) return new AppError('user_not_found');
    const mentor = [sender, receiver].find((u) => u.role === 'MENTOR');
    const mentee = [sender, receiver].find((u) => u.role === 'MENTEE');
    if (!mentor || !mentee) return new AppError('wrong_role');
    const at = message.createdAt.getTime();
    const pair = this.sql.pairOf.get(mentor.id, mentee.id) as { id: number } | undefined;
    const pairId = pair ? pair.id : (this.sql.insertPastPair.get(mentor.id, mentee.id, at, at) as { id: number }).id;
    const newest = this.sql.newestOfPair.get(pairId) as { created_at: number } | undefined;
    if (newest && newest.created_at > at) return new AppError('invalid_request', OUT_OF_ORDER);
    const seq = this.context.seqs.next(tx, pairId)!;
    this.sql.insertImported.run(pairId, seq, sender.id, message.content, at, message.isRead ? 1 : 0, message.externalId);
    return 'created';
  }

  async history(pairId: number, { before, after, limit }: HistoryCursor): Promise<HistoryPage> {
    const forward = after !== undefined;
    const read = forward ? this.sql.pageForward : this.sql.pageBack;
    const rows = read.all(pairId, after ?? 0, before ?? Number.MAX_SAFE_INTEGER, limit + 1) as MessageRow[];
    return toHistoryPage(rows, limit, forward);
  }

  async after(pairId: number, afterSeq: number, limit: number): Promise<Message[]> {
    return (this.sql.after.all(pairId, afterSeq, limit) as MessageRow[]).map(toMessage);
  }

  async before(pairId: number, beforeSeq: number, limit: number): Promise<Message[]> {
    return (this.sql.before.all(pairId, beforeSeq, limit) as MessageRow[]).map(toMessage).reverse();
  }

  async upTo(pairId: number, upto: { id: number } | { at: Date }, limit: number): Promise<Message[]> {
    const rows = ('id' in upto ? this.sql.uptoId.all(pairId, upto.id, limit) : this.sql.uptoAt.all(pairId, upto.at.getTime(), limit)) as MessageRow[];
    return rows.map(toMessage).reverse();
  }

  async byId(id: number): Promise<Message | null> {
    const row = this.sql.messageById.get(id) as MessageRow | undefined;
    return row ? toMessage(row) : null;
  }

  async lastSeqs(pairIds: readonly number[]): Promise<Map<number, number>> {
    if (pairIds.length === 0) return new Map();
    // One JSON array parameter: a list of any length in one statement.
    const rows = this.sql.lastSeqs.all(JSON.stringify(pairIds)) as { id: number; last_seq: number }[];
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }

  async markRead(pairId: number, readerId: number): Promise<ReadResult> {
    const rows = transaction(this.context.db, (tx) => {
      const marked = this.sql.markRead.all(pairId, readerId, pairId, readerId, readerId) as { id: number }[];
      if (marked.length > 0) this.context.events.cancelReminder(tx, pairId, readerId);
      return marked;
    });
    let lastReadId: number | null = null;
    for (const row of rows) if (lastReadId === null || row.id > lastReadId) lastReadId = row.id;
    return { count: rows.length, lastReadId };
  }

  async unreadCount(pairId: number, readerId: number): Promise<number> {
    return (this.sql.unreadCount.get(pairId, readerId) as { n: number }).n;
  }

  async conversations(userId: number, options: ConversationOptions = {}): Promise<Conversation[]> {
    // An active pair has no ended_at, so a `since` beyond every instant lists active pairs only.
    const since = options.endedSince?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return (this.sql.conversations.all({ user: userId, since }) as ConversationRow[]).map(toConversation);
  }

  /** Commits a batch in one immediate transaction; a refused append fails alone. */
  private commitBatch(batch: readonly AppendInput[]): Array<AppendOutcome | AppError> {
    return transaction(this.context.db, (tx) => batch.map((input) => this.appendOne(tx, input)));
  }

  /** Two statements when the append is accepted; the checks are repeated one by one only to tell a refusal (or a retry) apart. */
  private appendOne(tx: SqliteTx, input: AppendInput): AppendOutcome | AppError {
    const clientId = input.clientId ?? null;
    if (input.unlessHeld && clientId !== null) {
      const held = this.sql.heldUnapproved.get(input.pairId, input.senderId, clientId) as HeldRow | undefined;
      if (held) return { held: toHeld(held) };
    }
    // Checked before a `seq` is taken: a refusal must leave no gap.
    const replyTo = input.replyTo == null ? null : replyRef(input.replyTo, this.sql.replyTarget.get(input.replyTo, input.pairId));
    if (input.replyTo != null && replyTo === null) return this.refusal(input.pairId, input.senderId, clientId, 'message_not_found');
    const seq = this.context.seqs.nextForAppend(tx, input.pairId, input.senderId, clientId);
    if (seq === null) return this.refusal(input.pairId, input.senderId, clientId);
    const createdAt = Date.now();
    const { id } = this.sql.insertMessage.get(
      input.pairId,
      seq,
      input.senderId,
      input.content,
      createdAt,
      clientId,
      replyTo?.id ?? null,
      replyTo?.senderId ?? null,
      replyTo?.preview ?? null,
    ) as { id: number };
    this.context.events.messageEvents(tx, input.pairId, input.senderId, id);
    const files = this.context.links.link(tx, { id, pairId: input.pairId, senderId: input.senderId }, input.attachmentIds ?? []);
    const message: Message = {
      id,
      pairId: input.pairId,
      seq,
      kind: 'message',
      senderId: input.senderId,
      content: input.content,
      createdAt: new Date(createdAt),
      isRead: false,
      clientId,
      editedAt: null,
      deleted: false,
      replyTo,
      ...(files.length === 0 ? {} : { attachments: files }),
    };
    return { message, created: true };
  }

  /**
   * Why no `seq` was taken, in the order the contract gives: no longer matched (even a
   * retry), else a retry of a stored message (its original, also while paused), else paused.
   */
  private refusal(
    pairId: number,
    senderId: number,
    clientId: string | null,
    otherwise: 'match_paused' | 'message_not_found' = 'match_paused',
  ): AppendResult | AppError {
    if (!this.sql.senderInActivePair.get(pairId, senderId, senderId)) return new AppError('not_matched');
    const earlier = clientId === null ? undefined : (this.sql.byClientId.get(pairId, senderId, clientId) as MessageRow | undefined);
    if (earlier) return { message: toMessage(earlier), created: false };
    return new AppError(otherwise);
  }
}
