/**
 * The shared Store: PostgreSQL through postgres.js, for several Tandem instances at once.
 * A resolved `appendMessage` is committed. Appends that arrive in one event-loop turn are
 * committed together in one transaction (group commit); the pair row lock taken in that
 * transaction keeps `seq` contiguous across connections and instances.
 */
import postgres from 'postgres';
import { AppError } from '../errors.js';
import { MIGRATIONS } from './migrations/index.js';
import {
  counterpartRole,
  type AppendResult,
  type Conversation,
  type LoginAttempts,
  type Match,
  type MatchOptions,
  type Message,
  type NewMessage,
  type NewUser,
  type Pair,
  type ReadResult,
  type Role,
  type Store,
  type User,
} from './types.js';

/** BIGINT (oid 20) columns are parsed to numbers: ids and `seq` stay far below 2^53. */
const TYPES = {
  bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (raw: string) => Number(raw) },
};
type Types = { bigint: number };
type Sql = postgres.Sql<Types>;
type Db = Sql | postgres.TransactionSql<Types>;

interface UserRow { id: number; email: string; first_name: string; last_name: string; role: Role; created_at: Date }
interface PairRow { id: number; mentor_id: number; mentee_id: number; active: boolean; last_seq: number }
interface MessageRow { id: number; pair_id: number; seq: number; sender_id: number; content: string; created_at: Date; is_read: boolean; client_id: string | null }
interface MatchRow { pair_id: number; matched_at: Date; mentor_id: number; mentee_id: number }
/** A conversation: the partner's columns, the newest message's columns prefixed `m_` (null without one). */
interface ConversationRow extends UserRow {
  pair_id: number;
  unread_count: number;
  m_id: number | null; m_seq: number; m_sender_id: number; m_content: string; m_created_at: Date; m_is_read: boolean; m_client_id: string | null;
}

const toUser = (row: UserRow): User => ({
  id: row.id, email: row.email, firstName: row.first_name, lastName: row.last_name, role: row.role, createdAt: row.created_at,
});
const toPair = (row: PairRow): Pair => ({
  id: row.id, mentorId: row.mentor_id, menteeId: row.mentee_id, active: row.active, lastSeq: row.last_seq,
});
const toMessage = (row: MessageRow): Message => ({
  id: row.id, pairId: row.pair_id, seq: row.seq, senderId: row.sender_id, content: row.content,
  createdAt: row.created_at, isRead: row.is_read, clientId: row.client_id,
});

const isUniqueViolation = (error: unknown): boolean => error instanceof postgres.PostgresError && error.code === '23505';
/** Data (22), constraint (23) and rollback (40: deadlock) errors: retrying appends one by one can isolate them. */
const isRetryable = (error: unknown): boolean => error instanceof postgres.PostgresError && /^(22|23|40)/.test(error.code);

interface PendingAppend { input: NewMessage; resolve: (result: AppendResult) => void; reject: (error: unknown) => void }

export class PostgresStore implements Store {
  private readonly sql: Sql;
  private readonly userColumns;
  private readonly pairColumns;
  private readonly messageColumns;
  private pending: PendingAppend[] = [];
  /** The running flush loop; at most one, so that batches commit in arrival order. */
  private flushing: Promise<void> | null = null;

  private constructor(sql: Sql) {
    this.sql = sql;
    this.userColumns = sql`id, email, first_name, last_name, role, created_at`;
    this.pairColumns = sql`id, mentor_id, mentee_id, active, last_seq`;
    this.messageColumns = sql`id, pair_id, seq, sender_id, content, created_at, is_read, client_id`;
  }

  /** Connects a pool of at most `poolSize` connections and applies pending migrations. */
  static async open(config: { url: string; poolSize: number }): Promise<PostgresStore> {
    const sql = postgres(config.url, { max: config.poolSize, types: TYPES, onnotice: () => {} });
    try {
      await migrate(sql);
    } catch (error) {
      await sql.end();
      throw error;
    }
    return new PostgresStore(sql);
  }

  async createUser(user: NewUser): Promise<User> {
    try {
      const [row] = await this.sql<UserRow[]>`
        INSERT INTO users (email, password_hash, first_name, last_name, role, created_at)
        VALUES (${user.email}, ${user.passwordHash}, ${user.firstName}, ${user.lastName}, ${user.role}, now())
        RETURNING ${this.userColumns}`;
      return toUser(row!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('email_taken', undefined, { cause: error });
      throw error;
    }
  }

  async userByEmail(email: string): Promise<User | null> {
    const [row] = await this.sql<UserRow[]>`SELECT ${this.userColumns} FROM users WHERE email = ${email}`;
    return row ? toUser(row) : null;
  }

  async credentialsByEmail(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const [row] = await this.sql<(UserRow & { password_hash: string })[]>`
      SELECT ${this.userColumns}, password_hash FROM users WHERE email = ${email}`;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async createSession(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    await this.sql`INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (${tokenHash}, ${userId}, now(), ${expiresAt})`;
  }

  async userBySession(tokenHash: string, now: Date): Promise<User | null> {
    const [row] = await this.sql<UserRow[]>`
      SELECT ${this.userColumns} FROM users WHERE id = (
        SELECT user_id FROM sessions WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND expires_at > ${now})`;
    return row ? toUser(row) : null;
  }

  async revokeSession(tokenHash: string): Promise<boolean> {
    const result = await this.sql`UPDATE sessions SET revoked_at = now() WHERE token_hash = ${tokenHash} AND revoked_at IS NULL`;
    return result.count > 0;
  }

  async createMatch(mentorEmail: string, menteeEmail: string, options: MatchOptions = {}): Promise<Match> {
    const capacity = options.mentorCapacity ?? null;
    try {
      return await this.sql.begin(async (tx) => {
        const users = await tx<{ id: number; email: string; role: Role }[]>`
          SELECT id, email, role FROM users WHERE email IN (${mentorEmail}, ${menteeEmail})`;
        const mentor = users.find((u) => u.email === mentorEmail);
        const mentee = users.find((u) => u.email === menteeEmail);
        if (!mentor || !mentee) throw new AppError('user_not_found');
        if (mentor.role !== 'MENTOR' || mentee.role !== 'MENTEE') throw new AppError('wrong_role');
        if (capacity !== null) {
          // The mentor's row lock queues concurrent matches of this mentor, on any instance;
          // each statement after it sees what the previous holder committed.
          await tx`SELECT 1 FROM users WHERE id = ${mentor.id} FOR UPDATE`;
          const [taken] = await tx`SELECT 1 FROM pairs WHERE mentee_id = ${mentee.id} AND active`;
          if (taken) throw new AppError('already_matched');
          const [row] = await tx<{ n: number }[]>`SELECT count(*) AS n FROM pairs WHERE mentor_id = ${mentor.id} AND active`;
          if (row!.n >= capacity) throw new AppError('mentor_at_capacity');
        }
        // A former pair is reactivated so its history and seq continue. No row back means a
        // concurrent match won; the partial unique index turns the other races into 23505.
        const [row] = await tx<MatchRow[]>`
          INSERT INTO pairs (mentor_id, mentee_id, active, matched_at) VALUES (${mentor.id}, ${mentee.id}, TRUE, now())
          ON CONFLICT (mentor_id, mentee_id) DO UPDATE SET active = TRUE, matched_at = now(), ended_at = NULL
            WHERE NOT pairs.active
          RETURNING id AS pair_id, matched_at, mentor_id, mentee_id`;
        if (!row) throw new AppError('already_matched');
        return (await this.matchesOf(tx, [row]))[0]!;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('already_matched', undefined, { cause: error });
      throw error;
    }
  }

  async endMatch(menteeEmail: string): Promise<Match | null> {
    return this.sql.begin(async (tx) => {
      const rows = await tx<MatchRow[]>`
        UPDATE pairs SET active = FALSE, ended_at = now()
        WHERE active AND mentee_id = (SELECT id FROM users WHERE email = ${menteeEmail})
        RETURNING id AS pair_id, matched_at, mentor_id, mentee_id`;
      return rows.length > 0 ? (await this.matchesOf(tx, rows))[0]! : null;
    });
  }

  async listMatches(userId?: number): Promise<Match[]> {
    const rows = await this.sql<MatchRow[]>`
      SELECT id AS pair_id, matched_at, mentor_id, mentee_id FROM pairs
      WHERE active ${userId === undefined ? this.sql`` : this.sql`AND (mentor_id = ${userId} OR mentee_id = ${userId})`}
      ORDER BY id`;
    return this.matchesOf(this.sql, rows);
  }

  async activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const role = counterpartRole(user.role);
    const partner = await this.userByEmail(partnerEmail);
    if (!role || !partner || partner.role !== role) return null;
    const [mentorId, menteeId] = user.role === 'MENTOR' ? [user.id, partner.id] : [partner.id, user.id];
    const [row] = await this.sql<PairRow[]>`
      SELECT ${this.pairColumns} FROM pairs WHERE mentor_id = ${mentorId} AND mentee_id = ${menteeId} AND active`;
    return row ? { pair: toPair(row), partner } : null;
  }

  async pairById(pairId: number): Promise<Pair | null> {
    if (!Number.isSafeInteger(pairId)) return null;
    const [row] = await this.sql<PairRow[]>`SELECT ${this.pairColumns} FROM pairs WHERE id = ${pairId}`;
    return row ? toPair(row) : null;
  }

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ input: message, resolve, reject });
      this.flushing ??= this.flushLoop();
    });
  }

  async seqAtMessageId(pairId: number, messageId: number): Promise<number> {
    const rows = await this.sql<{ seq: number }[]>`
      SELECT seq FROM messages WHERE pair_id = ${pairId} AND id <= ${messageId} ORDER BY id DESC LIMIT 1`;
    return rows[0]?.seq ?? 0;
  }

  async messagesAfter(pairId: number, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await this.sql<MessageRow[]>`
      SELECT ${this.messageColumns} FROM messages WHERE pair_id = ${pairId} AND seq > ${afterSeq} ORDER BY seq LIMIT ${limit}`;
    return rows.map(toMessage);
  }

  async messagesBefore(pairId: number, beforeSeq: number, limit: number): Promise<Message[]> {
    const rows = await this.sql<MessageRow[]>`
      SELECT ${this.messageColumns} FROM messages WHERE pair_id = ${pairId} AND seq < ${beforeSeq} ORDER BY seq DESC LIMIT ${limit}`;
    return rows.map(toMessage).reverse();
  }

  async markRead(pairId: number, readerId: number): Promise<ReadResult> {
    const [row] = await this.sql<{ count: number; last_read_id: number | null }[]>`
      WITH marked AS (
        UPDATE messages SET is_read = TRUE
        WHERE pair_id = ${pairId} AND sender_id <> ${readerId} AND NOT is_read
          AND EXISTS (SELECT 1 FROM pairs WHERE id = ${pairId} AND active AND (mentor_id = ${readerId} OR mentee_id = ${readerId}))
        RETURNING id)
      SELECT count(*) AS count, max(id) AS last_read_id FROM marked`;
    return { count: row!.count, lastReadId: row!.last_read_id };
  }

  async conversations(userId: number): Promise<Conversation[]> {
    const rows = await this.sql<ConversationRow[]>`
      SELECT p.id AS pair_id, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at,
             m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.content AS m_content,
             m.created_at AS m_created_at, m.is_read AS m_is_read, m.client_id AS m_client_id,
             (SELECT count(*) FROM messages x WHERE x.pair_id = p.id AND x.sender_id = u.id AND NOT x.is_read) AS unread_count
      FROM pairs p
      JOIN users u ON u.id = CASE WHEN p.mentor_id = ${userId} THEN p.mentee_id ELSE p.mentor_id END
      LEFT JOIN messages m ON m.pair_id = p.id AND m.seq = p.last_seq
      WHERE p.active AND (p.mentor_id = ${userId} OR p.mentee_id = ${userId})
      ORDER BY COALESCE(m.created_at, p.matched_at) DESC, p.id DESC`;
    return rows.map((row) => ({
      pairId: row.pair_id,
      partner: toUser(row),
      lastMessage: row.m_id === null ? null : toMessage({
        id: row.m_id, pair_id: row.pair_id, seq: row.m_seq, sender_id: row.m_sender_id, content: row.m_content,
        created_at: row.m_created_at, is_read: row.m_is_read, client_id: row.m_client_id,
      }),
      unreadCount: row.unread_count,
    }));
  }

  async countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]> {
    if (keys.length === 0) return [];
    const rows = await this.sql<{ key: string; attempts: number; window_started_at: Date }[]>`
      INSERT INTO login_attempts (key, attempts, window_started_at)
      SELECT key, 1, ${now} FROM unnest(${keys as string[]}::text[]) AS t(key)
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN login_attempts.window_started_at <= ${windowStart} THEN 1 ELSE login_attempts.attempts + 1 END,
        window_started_at = CASE WHEN login_attempts.window_started_at <= ${windowStart} THEN excluded.window_started_at
                                 ELSE login_attempts.window_started_at END
      RETURNING key, attempts, window_started_at`;
    // Rows just counted started after `windowStart`, so only ended windows go.
    await this.sql`DELETE FROM login_attempts WHERE window_started_at <= ${windowStart}`;
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return keys.map((key) => {
      const row = byKey.get(key)!;
      return { key, count: row.attempts, windowStartedAt: row.window_started_at };
    });
  }

  async refundLoginAttempt(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.sql`UPDATE login_attempts SET attempts = greatest(attempts - 1, 0) WHERE key = ANY(${keys as string[]}::text[])`;
  }

  async ping(): Promise<void> {
    await this.sql`SELECT 1`;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    await this.sql.end();
  }

  /** Commits what is pending, batch after batch, until nothing is; never rejects. */
  private async flushLoop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      await this.commitBatch(batch);
    }
    this.flushing = null;
  }

  /**
   * Stores a batch in one transaction and settles each append. One append's bad data aborts
   * the whole transaction, so then each append is retried alone and only the faulty one
   * fails. Any other error (a lost connection: the outcome is unknown) rejects the batch.
   */
  private async commitBatch(batch: PendingAppend[]): Promise<void> {
    let outcomes: Array<AppendResult | AppError>;
    try {
      outcomes = await this.sql.begin((tx) => this.appendAll(tx, batch.map((item) => item.input)));
    } catch (error) {
      if (batch.length > 1 && isRetryable(error)) {
        for (const item of batch) await this.commitBatch([item]);
      } else {
        for (const item of batch) item.reject(error);
      }
      return;
    }
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome instanceof AppError) item.reject(outcome);
      else item.resolve(outcome);
    });
  }

  /**
   * Stores a batch with a fixed number of statements, whatever its size. The batch's pair
   * rows are locked first, in id order, so that instances flushing over the same pairs queue
   * instead of deadlocking; only then are earlier clientIds read, so that what another
   * instance committed meanwhile is seen. Seqs are then allocated in arrival order.
   */
  private async appendAll(tx: postgres.TransactionSql<Types>, inputs: NewMessage[]): Promise<Array<AppendResult | AppError>> {
    const ids = [...new Set(inputs.map((input) => input.pairId).filter(Number.isSafeInteger))];
    const locked = ids.length === 0 ? [] : await tx<PairRow[]>`
      SELECT ${this.pairColumns} FROM pairs WHERE id = ANY(${ids}::bigint[]) ORDER BY id FOR UPDATE`;
    const pairs = new Map(locked.map((row) => [row.id, row]));
    const accepts = (input: NewMessage): boolean => {
      const pair = pairs.get(input.pairId);
      return pair?.active === true && (pair.mentor_id === input.senderId || pair.mentee_id === input.senderId);
    };
    const keyed = inputs.filter((input) => input.clientId != null && accepts(input));
    const earlier = keyed.length === 0 ? [] : await tx<MessageRow[]>`
      SELECT ${this.messageColumns} FROM messages
      WHERE (pair_id, sender_id, client_id) IN (SELECT * FROM unnest(
        ${keyed.map((m) => m.pairId)}::bigint[], ${keyed.map((m) => m.senderId)}::bigint[], ${keyed.map((m) => m.clientId!)}::text[]))`;

    const at = (pairId: number, seq: number) => `${pairId}:${seq}`;
    const clientKey = (pairId: number, senderId: number, clientId: string) => JSON.stringify([pairId, senderId, clientId]);
    const stored = new Map(earlier.map((row) => [at(row.pair_id, row.seq), toMessage(row)]));
    const seqOfClientId = new Map(earlier.map((row) => [clientKey(row.pair_id, row.sender_id, row.client_id!), at(row.pair_id, row.seq)]));
    const fresh: NewMessage[] = [];
    const seqs: number[] = [];
    const plan = inputs.map((input) => {
      if (!accepts(input)) return new AppError('not_matched');
      const key = input.clientId == null ? null : clientKey(input.pairId, input.senderId, input.clientId);
      const original = key === null ? undefined : seqOfClientId.get(key);
      if (original !== undefined) return { at: original, created: false };
      const seq = ++pairs.get(input.pairId)!.last_seq;
      fresh.push(input);
      seqs.push(seq);
      if (key !== null) seqOfClientId.set(key, at(input.pairId, seq));
      return { at: at(input.pairId, seq), created: true };
    });

    if (fresh.length > 0) {
      const bumpedIds = new Set(fresh.map((input) => input.pairId));
      const bumped = locked.filter((pair) => bumpedIds.has(pair.id));
      // Rows are inserted in arrival order, so message ids grow with seq.
      const [inserted] = await Promise.all([
        tx<MessageRow[]>`
          INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id)
          SELECT pair_id, seq, sender_id, content, now(), client_id
          FROM unnest(${fresh.map((m) => m.pairId)}::bigint[], ${seqs}::bigint[], ${fresh.map((m) => m.senderId)}::bigint[],
                      ${fresh.map((m) => m.content)}::text[], ${fresh.map((m) => m.clientId ?? null)}::text[])
            WITH ORDINALITY AS t(pair_id, seq, sender_id, content, client_id, n)
          ORDER BY n
          RETURNING ${this.messageColumns}`,
        tx`
          UPDATE pairs SET last_seq = t.last_seq
          FROM unnest(${bumped.map((pair) => pair.id)}::bigint[], ${bumped.map((pair) => pair.last_seq)}::bigint[]) AS t(id, last_seq)
          WHERE pairs.id = t.id`,
      ]);
      for (const row of inserted) stored.set(at(row.pair_id, row.seq), toMessage(row));
    }
    return plan.map((step) => (step instanceof AppError ? step : { message: stored.get(step.at)!, created: step.created }));
  }

  /** The matches of `rows`, in their order, with both users read in one query. */
  private async matchesOf(db: Db, rows: readonly MatchRow[]): Promise<Match[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.flatMap((row) => [row.mentor_id, row.mentee_id]))];
    const users = await db<UserRow[]>`SELECT ${this.userColumns} FROM users WHERE id = ANY(${ids}::bigint[])`;
    const byId = new Map(users.map((row) => [row.id, toUser(row)]));
    return rows.map((row) => ({ pairId: row.pair_id, mentor: byId.get(row.mentor_id)!, mentee: byId.get(row.mentee_id)!, matchedAt: row.matched_at }));
  }
}

/**
 * Applies pending migrations in order, each in its own transaction. The advisory lock makes
 * instances starting together take turns; each re-reads what is applied once it holds the lock.
 */
async function migrate(sql: Sql): Promise<void> {
  for (const migration of MIGRATIONS) {
    await sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('tandem.schema_migrations'))`;
      await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`;
      const [applied] = await tx`SELECT 1 FROM schema_migrations WHERE version = ${migration.version}`;
      if (applied) return;
      await tx.unsafe(migration.postgres); // a constant script of several statements, hence unsafe()
      await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, now())`;
    });
  }
}
