/**
 * The shared Store: PostgreSQL through postgres.js, for several Tandem instances at once.
 * A resolved `appendMessage` is committed. Appends that arrive in one event-loop turn are
 * committed together in one transaction (group commit); the pair row lock taken in that
 * transaction keeps `seq` contiguous across connections and instances.
 */
import postgres from 'postgres';
import { AppError } from '../errors.js';
import { errorCode, translateBackendErrors } from './backend-errors.js';
import { GroupCommit } from './group-commit.js';
import { appendBatch } from './postgres-append.js';
import { MIGRATIONS } from './migrations/index.js';
import { runMigrations } from './migrations/runner.js';
import { MESSAGE_COLUMNS, PAIR_COLUMNS, USER_COLUMNS, toConversation, toHistoryPage, toMatch, toMessage, toPair, toUser } from './rows.js';
import type { ConversationRow, MatchRow, MessageRow, PairRow, UserRow } from './rows.js';
import { counterpartRole } from './types.js';
import type { AppendResult, Conversation, HistoryCursor, HistoryPage, LoginAttempts, Match, MatchOptions, Message, NewMessage, NewUser, Pair, ReadResult, Role, Store, User } from './types.js';

/** BIGINT (oid 20) columns are parsed to numbers: ids and `seq` stay far below 2^53. */
const TYPES = {
  bigint: { to: 20, from: [20], serialize: (value: number) => String(value), parse: (raw: string) => Number(raw) },
};
type Types = { bigint: number };
type Sql = postgres.Sql<Types>;
type Db = Sql | postgres.TransactionSql<Types>;

const isUniqueViolation = (error: unknown): boolean => error instanceof postgres.PostgresError && error.code === '23505';
/** Data (22), constraint (23) and rollback (40: deadlock) errors: retrying appends one by one can isolate them. */
const isRetryable = (error: unknown): boolean => error instanceof postgres.PostgresError && /^(22|23|40)/.test(error.code);
/** Connection-level failures (the server is down, restarting, or unreachable): retrying later may work. */
const UNAVAILABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT', '57P01', '57P03',
]);
const isUnavailable = (error: unknown): boolean => UNAVAILABLE.has(errorCode(error) ?? '');

export class PostgresStore implements Store {
  private readonly sql: Sql;
  private readonly userColumns;
  private readonly pairColumns;
  private readonly messageColumns;
  /**
   * One append's bad data aborts the whole batch transaction, so such a batch is retried
   * one append at a time and only the faulty one fails. Any other error (a lost connection:
   * the outcome is unknown) fails the batch.
   */
  private readonly appends = new GroupCommit<NewMessage, AppendResult>({
    commit: (batch) => this.sql.begin((tx) => appendBatch(tx, batch)),
    retryAlone: isRetryable,
  });

  private constructor(sql: Sql) {
    this.sql = sql;
    this.userColumns = sql.unsafe(USER_COLUMNS);
    this.pairColumns = sql.unsafe(PAIR_COLUMNS);
    this.messageColumns = sql.unsafe(MESSAGE_COLUMNS);
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
    return this.appends.push(message);
  }

  async historyPage(pairId: number, { before, after, limit }: HistoryCursor): Promise<HistoryPage> {
    const forward = after !== undefined;
    const rows = await this.sql<MessageRow[]>`
      SELECT ${this.messageColumns} FROM messages
      WHERE pair_id = ${pairId} AND id > ${after ?? 0} AND id < ${before ?? Number.MAX_SAFE_INTEGER}
      ORDER BY id ${forward ? this.sql`` : this.sql`DESC`} LIMIT ${limit + 1}`;
    return toHistoryPage(rows, limit, forward);
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

  async lastSeqs(pairIds: readonly number[]): Promise<Map<number, number>> {
    const ids = pairIds.filter(Number.isSafeInteger);
    if (ids.length === 0) return new Map();
    const rows = await this.sql<{ id: number; last_seq: number }[]>`SELECT id, last_seq FROM pairs WHERE id = ANY(${ids}::bigint[])`;
    return new Map(rows.map((row) => [row.id, row.last_seq]));
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
    return rows.map(toConversation);
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
    await this.appends.drain();
    await this.sql.end();
  }

  /** The matches of `rows`, in their order, with both users read in one query. */
  private async matchesOf(db: Db, rows: readonly MatchRow[]): Promise<Match[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.flatMap((row) => [row.mentor_id, row.mentee_id]))];
    const users = await db<UserRow[]>`SELECT ${this.userColumns} FROM users WHERE id = ANY(${ids}::bigint[])`;
    const byId = new Map(users.map((row) => [row.id, toUser(row)]));
    return rows.map((row) => toMatch(row, byId.get(row.mentor_id)!, byId.get(row.mentee_id)!));
  }
}

translateBackendErrors(PostgresStore, isUnavailable);

/**
 * The migrations not yet applied, each in its own transaction. The advisory lock makes
 * instances starting together take turns; each re-reads what is applied once it holds the lock.
 */
function migrate(sql: Sql): Promise<void> {
  return runMigrations<postgres.TransactionSql<Types>>({
    transaction: async (body) => {
      await sql.begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(hashtext('tandem.schema_migrations'))`;
        await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)`;
        await body(tx);
      });
    },
    isApplied: async (tx, version) => (await tx`SELECT 1 FROM schema_migrations WHERE version = ${version}`).length > 0,
    apply: async (tx, migration) => void await tx.unsafe(migration.postgres), // a constant script of several statements, hence unsafe()
    record: async (tx, migration) => void await tx`INSERT INTO schema_migrations (version, name, applied_at) VALUES (${migration.version}, ${migration.name}, now())`,
  }, MIGRATIONS);
}
