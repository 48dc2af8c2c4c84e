/**
 * The shared Store: PostgreSQL through node-postgres, for several Tandem instances at once.
 * A resolved `appendMessage` is committed. Appends that arrive in one event-loop turn are
 * committed together in one transaction (group commit); the pair row lock taken in that
 * transaction keeps `seq` contiguous across connections and instances. A database that is
 * unreachable at start does not stop it: the store opens anyway, answers `unavailable`, and
 * keeps trying to migrate in the background until it can.
 */
import type pg from 'pg';
import { AppError } from '../errors.js';
import { errorCode, isPostgresUnavailable } from './backend-errors.js';
import { GroupCommit } from './group-commit.js';
import { appendBatch } from './postgres-append.js';
import { importBatch } from './postgres-import.js';
import { createPool, inTransaction, rowsOf, type PoolSettings, type Queryable } from './postgres-pool.js';
import { migrate } from './postgres-migrate.js';
import { PostgresSafeguarding } from './postgres-safeguarding.js';
import { SafeguardingDelegate } from './safeguarding-delegate.js';
import { backlog, claimEvents, eventById, eventFacts, insertEvent, insertMessageEvents, listEvents, recordAttempts, retryEvent, setEventData } from './postgres-outbox.js';
import { MATCH_COLUMNS, MESSAGE_COLUMNS, PAIR_COLUMNS, USER_COLUMNS, directoryPage, likePattern, toConversation, toHistoryPage, toMatch, toMessage, toPair, toUser } from './rows.js';
import type { ConversationRow, MatchRow, MessageRow, PairRow, PartnerRow, UserRow } from './rows.js';
import { NO_PASSWORD, counterpartRole } from './types.js';
import { ACCOUNT_COLUMNS, accountOf, changeOf, roleLocked, type AccountRow } from './platform-users.js';
import type { OutboxOptions, WebhookBacklog, WebhookEvent, WebhookFacts, WebhookOutcome, WebhookSavedBody } from './types.js';
import type { WebhookStatus } from '../protocol/webhooks.js';
import type { ExternalUser, ImportedMessage, ImportOutcome, PutMatchOptions, PutMatchResult, UpsertResult, AppendResult, Conversation, ConversationOptions, DirectoryPage, DirectoryQuery, HistoryCursor, HistoryPage, LoginAttempts, Match, MatchOptions, Message, NewMessage, NewUser, Pair, ReadResult, Role, SessionRecord, Store, User, EndMatchOptions, HeldMessage } from './types.js';
import { PostgresWordList } from './postgres-word-list.js';
import type { WordListChange } from './word-list-types.js';

const isUniqueViolation = (error: unknown): boolean => errorCode(error) === '23505';
/** Data (22), constraint (23) and rollback (40: deadlock) errors: retrying appends one by one can isolate them. */
const isRetryable = (error: unknown): boolean => /^(22|23|40)/.test(errorCode(error) ?? '');

/** Migration retries while the database is unreachable: from the first delay, doubling, up to the last. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

/** How PostgresStore connects; `onRetry` hears of each failed background migration attempt. */
export interface PostgresOptions extends Omit<PoolSettings, 'timeoutMs'> {
  timeoutMs?: number;
  /** Whether appends and match changes write webhook events; null or absent: they do not. */
  outbox?: OutboxOptions | null;
  onRetry?: (error: unknown) => void;
}

export class PostgresStore extends SafeguardingDelegate implements Store {
  private readonly words = new PostgresWordList(() => this.pool());
  protected readonly safe = new PostgresSafeguarding(() => this.pool(), (tx) => ({
    approved: async (message) => {
      if (this.outbox) await insertMessageEvents(tx, message, this.outbox.unreadAfterMs);
    },
    pairsEnded: async (pairIds) => {
      if (this.outbox) for (const pairId of pairIds) await insertEvent(tx, 'match.ended', pairId, { actor: null, reason: 'account_deleted' });
    },
    held: async (pairId, heldId) => {
      if (this.outbox) await insertEvent(tx, 'message.held', pairId, { held: heldId });
    },
    reported: async (pairId, reportId) => {
      if (this.outbox) await insertEvent(tx, 'message.reported', pairId, { report: reportId });
    },
  }));
  /** False until the migrations are applied; until then every call answers `unavailable`. */
  private migrated = false;
  private closing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /**
   * One append's bad data aborts the whole batch transaction, so such a batch is retried
   * one append at a time and only the faulty one fails. Any other error (a lost connection:
   * the outcome is unknown) fails the batch.
   */
  private readonly appends = new GroupCommit<NewMessage, AppendResult>({
    commit: (batch) => inTransaction(this.pool(), (tx) => appendBatch(tx, batch, this.outbox)),
    retryAlone: isRetryable,
  });

  private constructor(private readonly connections: pg.Pool, private readonly outbox: OutboxOptions | null) {
    super();
  }

  /**
   * Connects a pool of at most `poolSize` connections and applies pending migrations. When
   * the database cannot be reached, resolves anyway with a store that answers `unavailable`
   * and retries the migrations with backoff until they succeed; other failures reject.
   */
  static async open(options: PostgresOptions): Promise<PostgresStore> {
    const store = new PostgresStore(createPool({ url: options.url, poolSize: options.poolSize, timeoutMs: options.timeoutMs ?? 5000 }), options.outbox ?? null);
    try {
      await migrate(store.connections);
      store.migrated = true;
    } catch (error) {
      if (!isPostgresUnavailable(error)) {
        await store.connections.end();
        throw error;
      }
      store.retryMigrations(RETRY_FIRST_MS, options.onRetry);
    }
    return store;
  }

  /** The pool, once the schema is there. */
  private pool(): pg.Pool {
    if (!this.migrated) throw new AppError('unavailable');
    return this.connections;
  }

  private retryMigrations(delayMs: number, onRetry?: (error: unknown) => void): void {
    this.retryTimer = setTimeout(() => {
      migrate(this.connections).then(
        () => void (this.migrated = this.closing === undefined),
        (error: unknown) => {
          if (this.closing) return;
          onRetry?.(error);
          this.retryMigrations(Math.min(delayMs * 2, RETRY_MAX_MS), onRetry);
        },
      );
    }, delayMs);
  }

  async createUser(user: NewUser): Promise<User> {
    try {
      const [row] = await rowsOf<UserRow>(this.pool(), `
        INSERT INTO users (email, password_hash, first_name, last_name, role, created_at)
        VALUES ($1, $2, $3, $4, $5, now()) RETURNING ${USER_COLUMNS}`,
        [user.email, user.passwordHash, user.firstName, user.lastName, user.role]);
      return toUser(row!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('email_taken', undefined, { cause: error });
      throw error;
    }
  }

  async userByEmail(email: string): Promise<User | null> {
    const [row] = await rowsOf<UserRow>(this.pool(), `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
    return row ? toUser(row) : null;
  }

  async upsertUser(user: ExternalUser): Promise<UpsertResult> {
    const id = user.platformId ?? null;
    const read = (db: Queryable, lock: string) => rowsOf<AccountRow>(db, `
      SELECT ${ACCOUNT_COLUMNS} FROM users WHERE email = $1 OR (platform_issuer = $2 AND platform_subject = $3) ORDER BY id ${lock}`,
      [user.email, id?.issuer ?? null, id?.subject ?? null]);
    const find = (rows: AccountRow[]) => accountOf(user,
      id ? rows.find((r) => r.platform_issuer === id.issuer && r.platform_subject === id.subject) : undefined,
      rows.find((r) => r.email === user.email));
    // Every request of a platform user comes here: when all is already so, one read and no transaction.
    const current = find(await read(this.pool(), ''));
    if (current && !changeOf(current, user)) return { user: toUser(current), created: false, changed: false, revokedSessions: [] };
    try {
      return await this.upsertLocked(user, read, find);
    } catch (error) {
      // The new email was taken between the read and the write, by another account.
      if (isUniqueViolation(error)) throw new AppError('identity_conflict', undefined, { cause: error });
      throw error;
    }
  }

  /** `upsertUser` under the locks of the accounts it reads. */
  private upsertLocked(user: ExternalUser, read: (db: Queryable, lock: string) => Promise<AccountRow[]>, find: (rows: AccountRow[]) => AccountRow | null): Promise<UpsertResult> {
    const id = user.platformId ?? null;
    return inTransaction(this.pool(), async (tx) => {
      // The accounts of the platform id and of the email, locked: a match of them (which locks
      // its users, see participants) waits for this call, or this call for it.
      let row = find(await read(tx, 'FOR UPDATE'));
      if (!row) {
        // Nothing on either key; a concurrent call may insert first (then nothing comes back here).
        const [created] = await rowsOf<UserRow>(tx, `
          INSERT INTO users (email, password_hash, first_name, last_name, role, created_at, platform_issuer, platform_subject)
          VALUES ($1, $2, $3, $4, $5, now(), $6, $7) ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
          [user.email, NO_PASSWORD, user.firstName, user.lastName, user.role, id?.issuer ?? null, id?.subject ?? null]);
        if (created) return { user: toUser(created), created: true, changed: true, revokedSessions: [] };
        row = find(await read(tx, 'FOR UPDATE'));
        if (!row) throw new AppError('unavailable', 'The user vanished while it was updated');
      }
      const change = changeOf(row, user);
      if (!change) return { user: toUser(row), created: false, changed: false, revokedSessions: [] };
      if (change.roleChanges && (await rowsOf(tx, 'SELECT 1 FROM pairs WHERE active AND (mentor_id = $1 OR mentee_id = $1) LIMIT 1', [row.id])).length > 0) {
        throw roleLocked();
      }
      // A platform id is set once: an account that holds one keeps it.
      const [updated] = await rowsOf<UserRow>(tx, `
        UPDATE users SET email = $1, first_name = $2, last_name = $3, role = $4, password_hash = $5,
          platform_issuer = CASE WHEN platform_subject IS NULL THEN $6 ELSE platform_issuer END, platform_subject = COALESCE(platform_subject, $7)
        WHERE id = $8 RETURNING ${USER_COLUMNS}`,
        [user.email, user.firstName, user.lastName, user.role, NO_PASSWORD, id?.issuer ?? null, id?.subject ?? null, row.id]);
      const revokedSessions = change.claim
        ? (await rowsOf<{ token_hash: string }>(tx, 'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash', [row.id])).map((r) => r.token_hash)
        : [];
      return { user: toUser(updated!), created: false, changed: true, revokedSessions };
    });
  }

  async usersById(ids: readonly number[]): Promise<User[]> {
    const known = ids.filter(Number.isSafeInteger);
    if (known.length === 0) return [];
    return (await rowsOf<UserRow>(this.pool(), `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`, [known])).map(toUser);
  }

  async credentialsByEmail(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const [row] = await rowsOf<UserRow & { password_hash: string }>(this.pool(),
      `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async createSession(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    await rowsOf(this.pool(), 'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, now(), $3)',
      [tokenHash, userId, expiresAt]);
  }

  async userBySession(tokenHash: string, now: Date): Promise<User | null> {
    const [row] = await rowsOf<UserRow>(this.pool(), `
      SELECT ${USER_COLUMNS} FROM users WHERE id = (
        SELECT user_id FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2)`, [tokenHash, now]);
    return row ? toUser(row) : null;
  }

  async revokeSession(tokenHash: string): Promise<boolean> {
    const revoked = await rowsOf(this.pool(),
      'UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING 1', [tokenHash]);
    return revoked.length > 0;
  }

  async liveSessions(userId: number, now: Date): Promise<SessionRecord[]> {
    const rows = await rowsOf<{ token_hash: string; created_at: Date; expires_at: Date }>(this.pool(), `
      SELECT token_hash, created_at, expires_at FROM sessions
      WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, token_hash`, [userId, now]);
    return rows.map((row) => ({ tokenHash: row.token_hash, createdAt: row.created_at, expiresAt: row.expires_at }));
  }

  async revokeSessionsOf(userId: number): Promise<string[]> {
    const rows = await rowsOf<{ token_hash: string }>(this.pool(),
      'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash', [userId]);
    return rows.map((row) => row.token_hash);
  }

  async replacePasswordHash(userId: number, previous: string, next: string): Promise<boolean> {
    return (await rowsOf(this.pool(), 'UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3 RETURNING 1', [next, userId, previous])).length > 0;
  }

  async createMatch(mentorEmail: string, menteeEmail: string, options: MatchOptions = {}): Promise<Match> {
    const capacity = options.mentorCapacity ?? null;
    try {
      return await inTransaction(this.pool(), async (tx) => {
        const { mentor, mentee } = await participants(tx, mentorEmail, menteeEmail);
        if (capacity !== null) {
          await lockUser(tx, mentor.id);
          const [taken] = await rowsOf(tx, 'SELECT 1 FROM pairs WHERE mentee_id = $1 AND active', [mentee.id]);
          if (taken) throw new AppError('already_matched');
          await assertMentorHasRoom(tx, mentor.id, capacity);
        }
        return (await this.matchesOf(tx, [await this.activatePair(tx, mentor.id, mentee.id, options)]))[0]!;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('already_matched', undefined, { cause: error });
      throw error;
    }
  }

  /**
   * Makes the pair active, reactivating a former pair so its history and seq continue, and
   * writes `match.created` in the same transaction. No row back means a concurrent match won;
   * the partial unique index turns the other races into 23505.
   */
  private async activatePair(tx: Queryable, mentorId: number, menteeId: number, options: { actor?: string | null; reason?: string | null }): Promise<MatchRow> {
    const [row] = await rowsOf<MatchRow>(tx, `
      INSERT INTO pairs (mentor_id, mentee_id, active, matched_at) VALUES ($1, $2, TRUE, now())
      ON CONFLICT (mentor_id, mentee_id) DO UPDATE SET active = TRUE, paused = FALSE, matched_at = now(), ended_at = NULL
        WHERE NOT pairs.active
      RETURNING ${MATCH_COLUMNS}`, [mentorId, menteeId]);
    if (!row) throw new AppError('already_matched');
    if (this.outbox) await insertEvent(tx, 'match.created', row.pair_id, { actor: options.actor ?? null, reason: options.reason ?? null });
    return row;
  }

  async putMatch(menteeEmail: string, mentorEmail: string, options: PutMatchOptions): Promise<PutMatchResult> {
    const capacity = options.mentorCapacity ?? null;
    try {
      return await inTransaction(this.pool(), async (tx) => {
        const { mentor, mentee } = await participants(tx, mentorEmail, menteeEmail);
        await lockUser(tx, mentee.id);
        const [current] = await rowsOf<MatchRow>(tx, `SELECT ${MATCH_COLUMNS} FROM pairs WHERE mentee_id = $1 AND active`, [mentee.id]);
        let ended: Match | null = null;
        if (current) {
          if (current.mentor_id === mentor.id) return { match: (await this.matchesOf(tx, [current]))[0]!, created: false, ended: null };
          if (!options.replace) throw new AppError('already_matched');
          const [row] = await rowsOf<MatchRow>(tx,
            `UPDATE pairs SET active = FALSE, ended_at = now() WHERE id = $1 RETURNING ${MATCH_COLUMNS}`, [current.pair_id]);
          ended = (await this.matchesOf(tx, [row!]))[0]!;
          if (this.outbox) await insertEvent(tx, 'match.ended', current.pair_id, { actor: options.actor ?? null, reason: 'replaced' });
        }
        if (capacity !== null) {
          await lockUser(tx, mentor.id);
          await assertMentorHasRoom(tx, mentor.id, capacity);
        }
        const row = await this.activatePair(tx, mentor.id, mentee.id, options);
        return { match: (await this.matchesOf(tx, [row]))[0]!, created: true, ended };
      });
    } catch (error) {
      // A concurrent createMatch (which does not take the mentee's lock) won the unique index.
      if (isUniqueViolation(error)) throw new AppError('already_matched', undefined, { cause: error });
      throw error;
    }
  }

  async endMatch(menteeEmail: string, options: EndMatchOptions = {}): Promise<Match | null> {
    return inTransaction(this.pool(), async (tx) => {
      const rows = await rowsOf<MatchRow>(tx, `
        UPDATE pairs SET active = FALSE, ended_at = now()
        WHERE active AND mentee_id = (SELECT id FROM users WHERE email = $1)
          AND ($2::bigint IS NULL OR $2::bigint IN (mentor_id, mentee_id))
        RETURNING ${MATCH_COLUMNS}`, [menteeEmail, options.participantId ?? null]);
      if (this.outbox && rows.length > 0) {
        await insertEvent(tx, 'match.ended', rows[0]!.pair_id, { actor: options.actor ?? null, reason: options.reason ?? 'unmatched' });
      }
      return rows.length > 0 ? (await this.matchesOf(tx, rows))[0]! : null;
    });
  }

  async setMatchPaused(menteeEmail: string, paused: boolean): Promise<Match | null> {
    return inTransaction(this.pool(), async (tx) => {
      const rows = await rowsOf<MatchRow>(tx, `
        UPDATE pairs SET paused = $2
        WHERE active AND mentee_id = (SELECT id FROM users WHERE email = $1)
        RETURNING ${MATCH_COLUMNS}`, [menteeEmail, paused]);
      return rows.length > 0 ? (await this.matchesOf(tx, rows))[0]! : null;
    });
  }

  async listMatches(userId?: number): Promise<Match[]> {
    const rows = userId === undefined
      ? await rowsOf<MatchRow>(this.pool(), `SELECT ${MATCH_COLUMNS} FROM pairs WHERE active ORDER BY id`)
      : await rowsOf<MatchRow>(this.pool(),
        `SELECT ${MATCH_COLUMNS} FROM pairs WHERE active AND (mentor_id = $1 OR mentee_id = $1) ORDER BY id`, [userId]);
    return this.matchesOf(this.pool(), rows);
  }

  async activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const found = await this.pairWith(user, partnerEmail);
    return found?.pair.active ? found : null;
  }

  async pairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const role = counterpartRole(user.role);
    const partner = await this.userByEmail(partnerEmail);
    if (!role || !partner || partner.role !== role) return null;
    const [mentorId, menteeId] = user.role === 'MENTOR' ? [user.id, partner.id] : [partner.id, user.id];
    const [row] = await rowsOf<PairRow>(this.pool(),
      `SELECT ${PAIR_COLUMNS} FROM pairs WHERE mentor_id = $1 AND mentee_id = $2`, [mentorId, menteeId]);
    return row ? { pair: toPair(row), partner } : null;
  }

  async pairById(pairId: number): Promise<Pair | null> {
    if (!Number.isSafeInteger(pairId)) return null;
    const [row] = await rowsOf<PairRow>(this.pool(), `SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = $1`, [pairId]);
    return row ? toPair(row) : null;
  }

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return this.appends.push(message);
  }

  async importMessages(messages: readonly ImportedMessage[]): Promise<ImportOutcome[]> {
    if (messages.length === 0) return [];
    return inTransaction(this.pool(), (tx) => importBatch(tx, messages));
  }

  async historyPage(pairId: number, { before, after, limit }: HistoryCursor): Promise<HistoryPage> {
    const forward = after !== undefined;
    const rows = await rowsOf<MessageRow>(this.pool(), `
      SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND id > $2 AND id < $3
      ORDER BY id ${forward ? 'ASC' : 'DESC'} LIMIT $4`, [pairId, after ?? 0, before ?? Number.MAX_SAFE_INTEGER, limit + 1]);
    return toHistoryPage(rows, limit, forward);
  }

  async messagesAfter(pairId: number, afterSeq: number, limit: number): Promise<Message[]> {
    const rows = await rowsOf<MessageRow>(this.pool(),
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [pairId, afterSeq, limit]);
    return rows.map(toMessage);
  }

  async messagesBefore(pairId: number, beforeSeq: number, limit: number): Promise<Message[]> {
    const rows = await rowsOf<MessageRow>(this.pool(),
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, [pairId, beforeSeq, limit]);
    return rows.map(toMessage).reverse();
  }

  async lastSeqs(pairIds: readonly number[]): Promise<Map<number, number>> {
    const ids = pairIds.filter(Number.isSafeInteger);
    if (ids.length === 0) return new Map();
    const rows = await rowsOf<{ id: number; last_seq: number }>(this.pool(), 'SELECT id, last_seq FROM pairs WHERE id = ANY($1::bigint[])', [ids]);
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }

  async markRead(pairId: number, readerId: number): Promise<ReadResult> {
    const [row] = await rowsOf<{ count: number; last_read_id: number | null }>(this.pool(), `
      WITH marked AS (
        UPDATE messages SET is_read = TRUE
        WHERE pair_id = $1 AND sender_id <> $2 AND NOT is_read AND kind = 'message'
          AND EXISTS (SELECT 1 FROM pairs WHERE id = $1 AND active AND (mentor_id = $2 OR mentee_id = $2))
        RETURNING id),
      reminder AS (
        UPDATE webhook_events SET status = 'cancelled', finished_at = now()
        WHERE pair_id = $1 AND recipient_id = $2 AND status = 'pending' AND EXISTS (SELECT 1 FROM marked))
      SELECT count(*) AS count, max(id) AS last_read_id FROM marked`, [pairId, readerId]);
    return { count: row!.count, lastReadId: row!.last_read_id };
  }

  async unreadCount(pairId: number, readerId: number): Promise<number> {
    const [row] = await rowsOf<{ n: number }>(this.pool(),
      "SELECT count(*) AS n FROM messages WHERE pair_id = $1 AND sender_id <> $2 AND NOT is_read AND kind = 'message'", [pairId, readerId]);
    return row!.n;
  }

  async conversations(userId: number, options: ConversationOptions = {}): Promise<Conversation[]> {
    const rows = await rowsOf<ConversationRow>(this.pool(), `
      SELECT p.id AS pair_id, p.active, p.paused, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at,
             m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.content AS m_content,
             m.created_at AS m_created_at, m.is_read AS m_is_read, m.client_id AS m_client_id,
             (SELECT count(*) FROM messages x WHERE x.pair_id = p.id AND x.sender_id = u.id AND NOT x.is_read) AS unread_count
      FROM pairs p
      JOIN users u ON u.id = CASE WHEN p.mentor_id = $1 THEN p.mentee_id ELSE p.mentor_id END
      LEFT JOIN messages m ON m.id = (SELECT max(id) FROM messages n WHERE n.pair_id = p.id AND n.kind = 'message')
      WHERE (p.active OR p.ended_at > $2) AND (p.mentor_id = $1 OR p.mentee_id = $1)
      ORDER BY p.active DESC, COALESCE(m.created_at, p.matched_at) DESC, p.id DESC`, [userId, options.endedSince ?? null]);
    return rows.map(toConversation);
  }

  async directory(query: DirectoryQuery): Promise<DirectoryPage> {
    const rows = await rowsOf<UserRow>(this.pool(), `
      SELECT ${USER_COLUMNS} FROM users u
      WHERE u.id > $1 AND ($2::text IS NULL OR u.role = $2)
        AND ($4::text IS NULL OR lower(u.email) LIKE $4 OR lower(u.first_name || ' ' || u.last_name) LIKE $4)
        AND ($3::text IS NULL OR (u.role <> 'ADMIN' AND
             EXISTS (SELECT 1 FROM pairs p WHERE p.active AND (p.mentor_id = u.id OR p.mentee_id = u.id)) = ($3 = 'matched')))
      ORDER BY u.id LIMIT $5`,
      [query.afterId ?? 0, query.role ?? null, query.status ?? null, query.search ? likePattern(query.search) : null, query.limit + 1]);
    const page = rows.slice(0, query.limit).map(toUser);
    const ids = page.map((user) => user.id);
    const partners = ids.length === 0 ? [] : await rowsOf<PartnerRow>(this.pool(), `
      SELECT p.id AS pair_id, p.mentor_id AS owner_id, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at
      FROM pairs p JOIN users u ON u.id = p.mentee_id WHERE p.active AND p.mentor_id = ANY($1::bigint[])
      UNION ALL
      SELECT p.id AS pair_id, p.mentee_id AS owner_id, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at
      FROM pairs p JOIN users u ON u.id = p.mentor_id WHERE p.active AND p.mentee_id = ANY($1::bigint[])
      ORDER BY pair_id`, [ids]);
    return directoryPage(page, partners, rows.length > query.limit);
  }

  async countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]> {
    if (keys.length === 0) return [];
    const rows = await rowsOf<{ key: string; attempts: number; window_started_at: Date }>(this.pool(), `
      INSERT INTO login_attempts (key, attempts, window_started_at)
      SELECT key, 1, $2 FROM unnest($1::text[]) AS t(key)
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN login_attempts.window_started_at <= $3 THEN 1 ELSE login_attempts.attempts + 1 END,
        window_started_at = CASE WHEN login_attempts.window_started_at <= $3 THEN excluded.window_started_at
                                 ELSE login_attempts.window_started_at END
      RETURNING key, attempts, window_started_at`, [keys, now, windowStart]);
    // Rows just counted started after `windowStart`, so only ended windows go.
    await rowsOf(this.pool(), 'DELETE FROM login_attempts WHERE window_started_at <= $1', [windowStart]);
    const byKey = new Map(rows.map((row) => [row.key, row]));
    return keys.map((key) => {
      const row = byKey.get(key)!;
      return { key, count: row.attempts, windowStartedAt: row.window_started_at };
    });
  }

  async refundLoginAttempt(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await rowsOf(this.pool(), 'UPDATE login_attempts SET attempts = greatest(attempts - 1, 0) WHERE key = ANY($1::text[])', [keys]);
  }

  claimWebhooks(limit: number, leaseMs: number): Promise<WebhookEvent[]> {
    return claimEvents(this.pool(), limit, leaseMs);
  }

  webhookFacts(events: readonly WebhookEvent[]): Promise<WebhookFacts[]> {
    return eventFacts(this.pool(), events);
  }

  setWebhookData(bodies: readonly WebhookSavedBody[]): Promise<Set<number>> {
    return inTransaction(this.pool(), (tx) => setEventData(tx, bodies));
  }

  recordWebhookAttempts(attempts: readonly WebhookOutcome[]): Promise<void> {
    return inTransaction(this.pool(), (tx) => recordAttempts(tx, attempts));
  }

  listWebhooks(status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]> {
    return listEvents(this.pool(), status, limit, beforeId);
  }

  webhookById(eventId: string): Promise<WebhookEvent | null> {
    return eventById(this.pool(), eventId);
  }

  retryWebhook(eventId: string): Promise<boolean> {
    return retryEvent(this.pool(), eventId);
  }

  webhookBacklog(): Promise<WebhookBacklog> {
    return backlog(this.pool());
  }

  async appendUnlessHeld(message: NewMessage): Promise<AppendResult | { held: HeldMessage }> {
    if (message.clientId) {
      const held = await this.heldByClientId(message.pairId, message.senderId, message.clientId);
      if (held && held.status !== 'approved') return { held };
    }
    return this.appendMessage(message);
  }

  wordListChanges(): Promise<WordListChange[]> {
    return this.words.wordListChanges();
  }

  changeWordList(add: readonly string[], remove: readonly string[]): Promise<void> {
    return this.words.changeWordList(add, remove);
  }

  async ping(): Promise<void> {
    await rowsOf(this.pool(), 'SELECT 1');
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      clearTimeout(this.retryTimer);
      await this.appends.drain();
      await this.connections.end();
    })();
    return this.closing;
  }

  /** The matches of `rows`, in their order, with both users read in one query. */
  private async matchesOf(db: Queryable, rows: readonly MatchRow[]): Promise<Match[]> {
    if (rows.length === 0) return [];
    const ids = [...new Set(rows.flatMap((row) => [row.mentor_id, row.mentee_id]))];
    const users = await rowsOf<UserRow>(db, `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`, [ids]);
    const byId = new Map(users.map((row) => [row.id, toUser(row)]));
    return rows.map((row) => toMatch(row, byId.get(row.mentor_id)!, byId.get(row.mentee_id)!));
  }
}

/** The two users a match names, by email; `user_not_found` or `wrong_role` otherwise. */
async function participants(tx: Queryable, mentorEmail: string, menteeEmail: string): Promise<{ mentor: ParticipantRow; mentee: ParticipantRow }> {
  // Locked: a concurrent role change (upsertUser) waits for the match, or the match sees the new role.
  const users = await rowsOf<ParticipantRow>(tx, 'SELECT id, email, role FROM users WHERE email IN ($1, $2) ORDER BY id FOR UPDATE', [mentorEmail, menteeEmail]);
  const mentor = users.find((u) => u.email === mentorEmail);
  const mentee = users.find((u) => u.email === menteeEmail);
  if (!mentor || !mentee) throw new AppError('user_not_found');
  if (mentor.role !== 'MENTOR' || mentee.role !== 'MENTEE') throw new AppError('wrong_role');
  return { mentor, mentee };
}

type ParticipantRow = { id: number; email: string; role: Role };

/**
 * The user's row lock, held to the end of the transaction: it queues concurrent match
 * changes of that user on any instance, and each statement after it sees what the previous
 * holder committed.
 */
async function lockUser(tx: Queryable, userId: number): Promise<void> {
  await rowsOf(tx, 'SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
}

/** `mentor_at_capacity` when the mentor already has `capacity` active matches; call it holding the mentor's lock. */
async function assertMentorHasRoom(tx: Queryable, mentorId: number, capacity: number): Promise<void> {
  const [row] = await rowsOf<{ n: number }>(tx, 'SELECT count(*) AS n FROM pairs WHERE mentor_id = $1 AND active', [mentorId]);
  if (row!.n >= capacity) throw new AppError('mentor_at_capacity');
}
