/**
 * The embedded Store: SQLite through better-sqlite3, in WAL mode with `synchronous=FULL`
 * so that a resolved `appendMessage` is on disk. Appends that arrive in one event-loop
 * turn are committed together in one transaction (group commit).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AppError } from '../errors.js';
import { GroupCommit } from './group-commit.js';
import { MIGRATIONS } from './migrations/index.js';
import { runMigrations } from './migrations/runner.js';
import { MATCH_COLUMNS, MESSAGE_COLUMNS, PAIR_COLUMNS, PAIR_ERASED_COUNT, USER_COLUMNS, WEBHOOK_COLUMNS, likePattern, toConversation, toHistoryPage, toMatch, toMessage, toPair, toUser, toWebhookEvent } from './rows.js';
import { directoryPage, type ConversationRow, type MatchRow, type MessageRow, type PairRow, type PartnerRow, type UserRow, type WebhookRow } from './rows.js';
import { ACCOUNT_COLUMNS, accountOf, changeOf, roleLocked, type AccountRow } from './platform-users.js';
import { SafeguardingDelegate } from './safeguarding-delegate.js';
import { SqliteSafeguarding } from './sqlite-safeguarding.js';
import { NO_PASSWORD, OUT_OF_ORDER, counterpartRole } from './types.js';
import { byId, outboxFacts, type UnreadRow } from './outbox-facts.js';
import { HELD_COLUMNS, REPORT_COLUMNS, toHeld, toReport, type HeldRow, type ReportRow } from './safeguarding-rows.js';
import type { OutboxOptions, WebhookBacklog, WebhookEvent, WebhookFacts, WebhookOutcome, WebhookSavedBody } from './types.js';
import type { WebhookEventType, WebhookStatus } from '../protocol/webhooks.js';
import type { ExternalUser, ImportedMessage, ImportOutcome, PutMatchOptions, PutMatchResult, UpsertResult, AppendResult, Conversation, ConversationOptions, DirectoryPage, DirectoryQuery, HistoryCursor, HistoryPage, LoginAttempts, Match, MatchOptions, Message, NewMessage, NewUser, Pair, ReadResult, SessionRecord, Store, User, EndMatchOptions, HeldMessage } from './types.js';
import { SqliteWordList } from './sqlite-word-list.js';
import type { WordListChange } from './word-list-types.js';

export class SqliteStore extends SafeguardingDelegate implements Store {
  private readonly db: Database.Database;
  private readonly sql;
  protected readonly safe: SqliteSafeguarding;
  private readonly words: SqliteWordList;
  private readonly appends = new GroupCommit<NewMessage & { unlessHeld?: boolean }, AppendResult | { held: HeldMessage }>({ commit: (batch) => this.commitBatch(batch) });

  private constructor(db: Database.Database, private readonly outbox: OutboxOptions | null) {
    super();
    this.db = db;
    this.words = new SqliteWordList(db);
    this.safe = new SqliteSafeguarding(db, {
      approved: (message) => this.writeMessageEvents(message.pair_id, message.sender_id, message.id),
      pairsEnded: (pairIds) => pairIds.forEach((pairId) => this.writeEvent('match.ended', pairId, { detail: { actor: null, reason: 'account_deleted' } })),
      held: (pairId, heldId) => this.writeEvent('message.held', pairId, { held: heldId }),
      reported: (pairId, reportId) => this.writeEvent('message.reported', pairId, { report: reportId }),
    });
    const p = (source: string) => db.prepare(source);
    this.sql = {
      insertUser: p(`INSERT INTO users (email, password_hash, first_name, last_name, role, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${USER_COLUMNS}`),
      userByEmail: p(`SELECT ${USER_COLUMNS} FROM users WHERE email = ?`),
      accountByEmail: p(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE email = ?`),
      accountByPlatformId: p(`SELECT ${ACCOUNT_COLUMNS} FROM users WHERE platform_issuer = ? AND platform_subject = ?`),
      insertPlatformUser: p(`INSERT INTO users (email, password_hash, first_name, last_name, role, created_at, platform_issuer, platform_subject)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${USER_COLUMNS}`),
      // A platform id is set once: an account that holds one keeps it.
      updatePlatformUser: p(`UPDATE users SET email = ?, first_name = ?, last_name = ?, role = ?, password_hash = ?,
        platform_issuer = CASE WHEN platform_subject IS NULL THEN ? ELSE platform_issuer END, platform_subject = COALESCE(platform_subject, ?)
        WHERE id = ? RETURNING ${USER_COLUMNS}`),
      hasActiveMatch: p('SELECT 1 FROM pairs WHERE active = 1 AND (mentor_id = ? OR mentee_id = ?)'),
      revokeSessionsOf: p('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING token_hash'),
      userById: p(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
      usersById: p(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`),
      credentials: p(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = ?`),
      insertSession: p('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      userBySession: p(`SELECT ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`),
      revokeSession: p('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL'),
      liveSessions: p('SELECT token_hash, created_at, expires_at FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, token_hash'),
      replacePasswordHash: p('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?'),
      activePairOfMentee: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE mentee_id = ? AND active = 1`),
      pairOf: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE mentor_id = ? AND mentee_id = ?`),
      pairById: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE id = ?`),
      insertPair: p('INSERT INTO pairs (mentor_id, mentee_id, active, matched_at) VALUES (?, ?, 1, ?) RETURNING id'),
      reactivatePair: p('UPDATE pairs SET active = 1, paused = 0, matched_at = ?, ended_at = NULL WHERE id = ?'),
      setPaused: p(`UPDATE pairs SET paused = ? WHERE active = 1 AND mentee_id = (SELECT id FROM users WHERE email = ?) RETURNING ${MATCH_COLUMNS}`),
      endPair: p('UPDATE pairs SET active = 0, ended_at = ? WHERE id = ?'),
      matchById: p(`SELECT ${MATCH_COLUMNS} FROM pairs WHERE id = ?`),
      allMatches: p(`SELECT ${MATCH_COLUMNS} FROM pairs WHERE active = 1 ORDER BY id`),
      matchesOf: p(`SELECT ${MATCH_COLUMNS} FROM pairs WHERE active = 1 AND (mentor_id = ? OR mentee_id = ?) ORDER BY id`),
      senderInActivePair: p('SELECT 1 FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)'),
      byClientId: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND sender_id = ? AND client_id = ?`),
      // Every condition of an append at once: the pair is active, the sender one of its two,
      // it is not paused, and the clientId (if any) is new. No row: `refusal` says which failed.
      heldUnapproved: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE pair_id = ? AND sender_id = ? AND client_id = ? AND status <> 'approved'`),
      nextSeq: p(`UPDATE pairs SET last_seq = last_seq + 1
                  WHERE id = ? AND active = 1 AND paused = 0 AND (mentor_id = ? OR mentee_id = ?)
                    AND NOT EXISTS (SELECT 1 FROM messages WHERE pair_id = pairs.id AND sender_id = ? AND client_id = ?)
                  RETURNING last_seq`),
      // Only the id: the rest of the row is what the append gave, and the columns' defaults.
      insertMessage: p('INSERT INTO messages (pair_id, seq, sender_id, content, created_at, client_id) VALUES (?, ?, ?, ?, ?, ?) RETURNING id'),
      pageBack: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND id > ? AND id < ? ORDER BY id DESC LIMIT ?`),
      pageForward: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND id > ? AND id < ? ORDER BY id LIMIT ?`),
      after: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND seq > ? ORDER BY seq LIMIT ?`),
      before: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE pair_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
      lastSeqs: p('SELECT id, last_seq FROM pairs WHERE id IN (SELECT value FROM json_each(?))'),
      activeMenteesOf: p('SELECT count(*) AS n FROM pairs WHERE mentor_id = ? AND active = 1'),
      conversations: p(`
        SELECT p.id AS pair_id, p.active, p.paused, ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')},
               m.id AS m_id, m.seq AS m_seq, m.sender_id AS m_sender_id, m.content AS m_content,
               m.created_at AS m_created_at, m.is_read AS m_is_read, m.client_id AS m_client_id,
               (SELECT count(*) FROM messages x WHERE x.pair_id = p.id AND x.sender_id = u.id AND x.is_read = 0) AS unread_count
        FROM pairs p
        JOIN users u ON u.id = CASE WHEN p.mentor_id = @user THEN p.mentee_id ELSE p.mentor_id END
        LEFT JOIN messages m ON m.id = (SELECT max(id) FROM messages n WHERE n.pair_id = p.id AND n.kind = 'message')
        WHERE (p.active = 1 OR p.ended_at > @since) AND (p.mentor_id = @user OR p.mentee_id = @user)
        ORDER BY p.active DESC, COALESCE(m.created_at, p.matched_at) DESC, p.id DESC`),
      unreadCount: p("SELECT count(*) AS n FROM messages WHERE pair_id = ? AND sender_id <> ? AND is_read = 0 AND kind = 'message'"),
      directory: p(`
        SELECT ${USER_COLUMNS} FROM users u
        WHERE u.id > @after AND (@role IS NULL OR u.role = @role)
          AND (@search IS NULL OR lower(u.email) LIKE @search ESCAPE '\\' OR lower(u.first_name || ' ' || u.last_name) LIKE @search ESCAPE '\\')
          AND (@status IS NULL OR (u.role <> 'ADMIN' AND
               EXISTS (SELECT 1 FROM pairs p WHERE p.active = 1 AND (p.mentor_id = u.id OR p.mentee_id = u.id)) = (@status = 'matched')))
        ORDER BY u.id LIMIT @limit`),
      partnersOf: p(`
        SELECT p.id AS pair_id, p.mentor_id AS owner_id, ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')} FROM pairs p JOIN users u ON u.id = p.mentee_id
        WHERE p.active = 1 AND p.mentor_id IN (SELECT value FROM json_each(@ids))
        UNION ALL
        SELECT p.id AS pair_id, p.mentee_id AS owner_id, ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')} FROM pairs p JOIN users u ON u.id = p.mentor_id
        WHERE p.active = 1 AND p.mentee_id IN (SELECT value FROM json_each(@ids))
        ORDER BY pair_id`),
      countAttempt: p(`
        INSERT INTO login_attempts (key, attempts, window_started_at) VALUES (@key, 1, @now)
        ON CONFLICT (key) DO UPDATE SET
          attempts = CASE WHEN window_started_at <= @since THEN 1 ELSE attempts + 1 END,
          window_started_at = CASE WHEN window_started_at <= @since THEN @now ELSE window_started_at END
        RETURNING key, attempts, window_started_at`),
      purgeAttempts: p('DELETE FROM login_attempts WHERE window_started_at <= ?'),
      refundAttempt: p('UPDATE login_attempts SET attempts = max(attempts - 1, 0) WHERE key = ?'),
      markRead: p(`UPDATE messages SET is_read = 1 WHERE pair_id = ? AND sender_id <> ? AND is_read = 0 AND kind = 'message'
                   AND EXISTS (SELECT 1 FROM pairs WHERE id = ? AND active = 1 AND (mentor_id = ? OR mentee_id = ?)) RETURNING id`),
      byExternalId: p('SELECT 1 FROM messages WHERE external_id = ?'),
      insertPastPair: p('INSERT INTO pairs (mentor_id, mentee_id, active, matched_at, ended_at) VALUES (?, ?, 0, ?, ?) RETURNING id'),
      newestOfPair: p('SELECT m.created_at FROM pairs p JOIN messages m ON m.pair_id = p.id AND m.seq = p.last_seq WHERE p.id = ?'),
      nextSeqAny: p('UPDATE pairs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq'),
      insertImported: p('INSERT INTO messages (pair_id, seq, sender_id, content, created_at, is_read, external_id) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      ping: p('SELECT 1'),
      insertEvent: p(`INSERT INTO webhook_events (type, pair_id, message_id, recipient_id, held_id, report_id, detail, created_at, window_start, due_at)
                      VALUES (@type, @pair, @message, @recipient, @held, @report, @detail, @now, @now, @due) ON CONFLICT DO NOTHING`),
      cancelReminder: p("UPDATE webhook_events SET status = 'cancelled', finished_at = ? WHERE pair_id = ? AND recipient_id = ? AND status = 'pending'"),
      // One process: the claim needs no row locks, only the lease.
      claim: p(`UPDATE webhook_events SET lease_until = @until WHERE id IN (
                  SELECT id FROM webhook_events WHERE status = 'pending' AND due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                  ORDER BY due_at, id LIMIT @limit)
                RETURNING ${WEBHOOK_COLUMNS}`),
      pairsById: p(`SELECT ${PAIR_COLUMNS} FROM pairs WHERE id IN (SELECT value FROM json_each(?))`),
      messagesByIds: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id IN (SELECT value FROM json_each(?))`),
      heldByIds: p(`SELECT ${HELD_COLUMNS} FROM held_messages WHERE id IN (SELECT value FROM json_each(?))`),
      reportsByIds: p(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN messages m ON m.id = r.message_id WHERE r.id IN (SELECT value FROM json_each(?))`),
      // Each [pair, recipient] of the reminders: what the recipient has not read of the partner's.
      unreadOf: p(`
        SELECT r.value ->> 0 AS pair_id, r.value ->> 1 AS recipient_id, count(m.id) AS n, min(m.id) AS oldest
        FROM json_each(?) r
        LEFT JOIN messages m ON m.pair_id = r.value ->> 0 AND m.sender_id <> r.value ->> 1 AND m.is_read = 0 AND m.kind = 'message'
        GROUP BY r.key`),
      setData: p(`UPDATE webhook_events SET data = ? WHERE id = ? AND status = 'pending' AND ${PAIR_ERASED_COUNT} <= ?`),
      cancelEvent: p("UPDATE webhook_events SET status = 'cancelled', finished_at = ?, lease_until = NULL WHERE id = ? AND status = 'pending'"),
      delivered: p(`UPDATE webhook_events SET status = 'delivered', attempts = attempts + 1, finished_at = ?, lease_until = NULL, last_error = NULL
                    WHERE id = ? AND status = 'pending'`),
      retryLater: p(`UPDATE webhook_events SET attempts = attempts + 1, due_at = ?, lease_until = NULL, last_error = ?
                     WHERE id = ? AND status = 'pending'`),
      failed: p(`UPDATE webhook_events SET status = 'failed', attempts = attempts + 1, finished_at = ?, lease_until = NULL, last_error = ?
                 WHERE id = ? AND status = 'pending'`),
      listEvents: p(`SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE status = ? AND id < ? ORDER BY id DESC LIMIT ?`),
      eventById: p(`SELECT ${WEBHOOK_COLUMNS} FROM webhook_events WHERE event_id = ?`),
      retryEvent: p(`UPDATE webhook_events SET status = 'pending', window_start = @now, due_at = @now, finished_at = NULL, lease_until = NULL
                     WHERE event_id = @id AND status = 'failed'`),
      backlog: p("SELECT count(*) AS n, min(created_at) AS oldest FROM webhook_events WHERE status = 'pending'"),
    };
  }

  /** Opens (creating if needed) the database file and applies pending migrations. */
  static async open(path: string, outbox: OutboxOptions | null = null): Promise<SqliteStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // For the whole database, not only around an erasure: text a page split, a retention
    // delete or an update moved long before still lies in free space unless it was zeroed
    // then. The cost is writes, not reads: freed cells are zeroed in pages written anyway, and
    // each page freed (retention's deletes) is written once more, as zeros.
    db.pragma('secure_delete = ON');
    try {
      await migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db, outbox);
  }

  async createUser(user: NewUser): Promise<User> {
    try {
      const row = this.sql.insertUser.get(user.email, user.passwordHash, user.firstName, user.lastName, user.role, Date.now()) as UserRow;
      return toUser(row);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('email_taken', undefined, { cause: error });
      throw error;
    }
  }

  async userByEmail(email: string): Promise<User | null> {
    const row = this.sql.userByEmail.get(email) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async upsertUser(user: ExternalUser): Promise<UpsertResult> {
    const id = user.platformId ?? null;
    const find = () => accountOf(user,
      id ? (this.sql.accountByPlatformId.get(id.issuer, id.subject) as AccountRow | undefined) : undefined,
      this.sql.accountByEmail.get(user.email) as AccountRow | undefined);
    // Every request of a platform user comes here: when all is already so, no write lock is taken.
    const current = find();
    if (current && !changeOf(current, user)) return { user: toUser(current), created: false, changed: false, revokedSessions: [] };
    // Synchronous inside one transaction: no other call can come between the reads and the writes.
    return this.db.transaction((): UpsertResult => {
      const row = find();
      if (!row) {
        const created = this.sql.insertPlatformUser.get(user.email, NO_PASSWORD, user.firstName, user.lastName, user.role, Date.now(), id?.issuer ?? null, id?.subject ?? null) as UserRow;
        return { user: toUser(created), created: true, changed: true, revokedSessions: [] };
      }
      const change = changeOf(row, user);
      if (!change) return { user: toUser(row), created: false, changed: false, revokedSessions: [] };
      if (change.roleChanges && this.sql.hasActiveMatch.get(row.id, row.id)) throw roleLocked();
      const updated = this.sql.updatePlatformUser.get(user.email, user.firstName, user.lastName, user.role, NO_PASSWORD, id?.issuer ?? null, id?.subject ?? null, row.id) as UserRow;
      const revokedSessions = change.claim ? (this.sql.revokeSessionsOf.all(Date.now(), row.id) as Array<{ token_hash: string }>).map((r) => r.token_hash) : [];
      return { user: toUser(updated), created: false, changed: true, revokedSessions };
    }).immediate();
  }

  async usersById(ids: readonly number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return (this.sql.usersById.all(JSON.stringify(ids)) as UserRow[]).map(toUser);
  }

  async credentialsByEmail(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const row = this.sql.credentials.get(email) as (UserRow & { password_hash: string }) | undefined;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async createSession(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    this.sql.insertSession.run(tokenHash, userId, Date.now(), expiresAt.getTime());
  }

  async userBySession(tokenHash: string, now: Date): Promise<User | null> {
    const row = this.sql.userBySession.get(tokenHash, now.getTime()) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async revokeSession(tokenHash: string): Promise<boolean> {
    return this.sql.revokeSession.run(Date.now(), tokenHash).changes > 0;
  }

  async liveSessions(userId: number, now: Date): Promise<SessionRecord[]> {
    const rows = this.sql.liveSessions.all(userId, now.getTime()) as Array<{ token_hash: string; created_at: number; expires_at: number }>;
    return rows.map((row) => ({ tokenHash: row.token_hash, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at) }));
  }

  async revokeSessionsOf(userId: number): Promise<string[]> {
    return (this.sql.revokeSessionsOf.all(Date.now(), userId) as Array<{ token_hash: string }>).map((row) => row.token_hash);
  }

  async replacePasswordHash(userId: number, previous: string, next: string): Promise<boolean> {
    return this.sql.replacePasswordHash.run(next, userId, previous).changes > 0;
  }

  async createMatch(mentorEmail: string, menteeEmail: string, options: MatchOptions = {}): Promise<Match> {
    return (await this.putMatch(menteeEmail, mentorEmail, { ...options, replace: false }, false)).match;
  }

  async putMatch(menteeEmail: string, mentorEmail: string, options: PutMatchOptions, idempotent = true): Promise<PutMatchResult> {
    const capacity = options.mentorCapacity ?? null;
    // An immediate transaction holds the write lock: no other match can slip in between the
    // checks (the mentee's current match, the capacity count) and the write.
    const run = this.db.transaction((): { pairId: number; created: boolean; ended: MatchRow | null } => {
      const mentor = this.sql.userByEmail.get(mentorEmail) as UserRow | undefined;
      const mentee = this.sql.userByEmail.get(menteeEmail) as UserRow | undefined;
      if (!mentor || !mentee) throw new AppError('user_not_found');
      if (mentor.role !== 'MENTOR' || mentee.role !== 'MENTEE') throw new AppError('wrong_role');
      const now = Date.now();
      let ended: MatchRow | null = null;
      const current = this.sql.activePairOfMentee.get(mentee.id) as PairRow | undefined;
      if (current) {
        if (idempotent && current.mentor_id === mentor.id) return { pairId: current.id, created: false, ended: null };
        if (!options.replace) throw new AppError('already_matched');
        ended = this.sql.matchById.get(current.id) as MatchRow;
        this.sql.endPair.run(now, current.id);
        this.writeEvent('match.ended', current.id, { detail: { actor: options.actor ?? null, reason: 'replaced' } });
      }
      if (capacity !== null && (this.sql.activeMenteesOf.get(mentor.id) as { n: number }).n >= capacity) {
        throw new AppError('mentor_at_capacity');
      }
      const existing = this.sql.pairOf.get(mentor.id, mentee.id) as PairRow | undefined;
      let pairId: number;
      if (existing) {
        this.sql.reactivatePair.run(now, existing.id);
        pairId = existing.id;
      } else {
        pairId = (this.sql.insertPair.get(mentor.id, mentee.id, now) as { id: number }).id;
      }
      this.writeEvent('match.created', pairId, { detail: { actor: options.actor ?? null, reason: options.reason ?? null } });
      return { pairId, created: true, ended };
    });
    const result = run.immediate();
    return {
      match: this.matchFromRow(this.sql.matchById.get(result.pairId) as MatchRow),
      created: result.created,
      ended: result.ended ? this.matchFromRow(result.ended) : null,
    };
  }

  async endMatch(menteeEmail: string, options: EndMatchOptions = {}): Promise<Match | null> {
    const run = this.db.transaction((): MatchRow | null => {
      const mentee = this.sql.userByEmail.get(menteeEmail) as UserRow | undefined;
      const pair = mentee && (this.sql.activePairOfMentee.get(mentee.id) as PairRow | undefined);
      if (!pair) return null;
      const { participantId } = options;
      if (participantId !== undefined && participantId !== pair.mentor_id && participantId !== pair.mentee_id) return null;
      const match = this.sql.matchById.get(pair.id) as MatchRow;
      this.sql.endPair.run(Date.now(), pair.id);
      this.writeEvent('match.ended', pair.id, { detail: { actor: options.actor ?? null, reason: options.reason ?? 'unmatched' } });
      return match;
    });
    const row = run.immediate();
    return row ? this.matchFromRow(row) : null;
  }

  async listMatches(userId?: number): Promise<Match[]> {
    const rows = (userId === undefined ? this.sql.allMatches.all() : this.sql.matchesOf.all(userId, userId)) as MatchRow[];
    return rows.map((row) => this.matchFromRow(row));
  }

  async activePairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const found = await this.pairWith(user, partnerEmail);
    return found?.pair.active ? found : null;
  }

  async setMatchPaused(menteeEmail: string, paused: boolean): Promise<Match | null> {
    const row = this.sql.setPaused.get(paused ? 1 : 0, menteeEmail) as MatchRow | undefined;
    return row ? this.matchFromRow(row) : null;
  }

  async pairWith(user: User, partnerEmail: string): Promise<{ pair: Pair; partner: User } | null> {
    const role = counterpartRole(user.role);
    const partnerRow = this.sql.userByEmail.get(partnerEmail) as UserRow | undefined;
    if (!role || !partnerRow || partnerRow.role !== role) return null;
    const [mentorId, menteeId] = user.role === 'MENTOR' ? [user.id, partnerRow.id] : [partnerRow.id, user.id];
    const pair = this.sql.pairOf.get(mentorId, menteeId) as PairRow | undefined;
    return pair ? { pair: toPair(pair), partner: toUser(partnerRow) } : null;
  }

  async pairById(pairId: number): Promise<Pair | null> {
    const row = this.sql.pairById.get(pairId) as PairRow | undefined;
    return row ? toPair(row) : null;
  }

  appendMessage(message: NewMessage): Promise<AppendResult> {
    return this.appends.push(message) as Promise<AppendResult>;
  }

  appendUnlessHeld(message: NewMessage): Promise<AppendResult | { held: HeldMessage }> {
    return this.appends.push({ ...message, unlessHeld: true });
  }

  async importMessages(messages: readonly ImportedMessage[]): Promise<ImportOutcome[]> {
    return this.db.transaction(() => messages.map((message) => this.importOne(message))).immediate();
  }

  private importOne(message: ImportedMessage): ImportOutcome {
    if (this.sql.byExternalId.get(message.externalId)) return 'unchanged';
    const sender = this.sql.userByEmail.get(message.senderEmail) as UserRow | undefined;
    const receiver = this.sql.userByEmail.get(message.receiverEmail) as UserRow | undefined;
    if (!sender || !receiver) return new AppError('user_not_found');
    const mentor = [sender, receiver].find((u) => u.role === 'MENTOR');
    const mentee = [sender, receiver].find((u) => u.role === 'MENTEE');
    if (!mentor || !mentee) return new AppError('wrong_role');
    const at = message.createdAt.getTime();
    const pair = this.sql.pairOf.get(mentor.id, mentee.id) as PairRow | undefined;
    const pairId = pair ? pair.id : (this.sql.insertPastPair.get(mentor.id, mentee.id, at, at) as { id: number }).id;
    const newest = this.sql.newestOfPair.get(pairId) as { created_at: number } | undefined;
    if (newest && newest.created_at > at) return new AppError('invalid_request', OUT_OF_ORDER);
    const { last_seq: seq } = this.sql.nextSeqAny.get(pairId) as { last_seq: number };
    this.sql.insertImported.run(pairId, seq, sender.id, message.content, at, message.isRead ? 1 : 0, message.externalId);
    return 'created';
  }

  async historyPage(pairId: number, { before, after, limit }: HistoryCursor): Promise<HistoryPage> {
    const forward = after !== undefined;
    const read = forward ? this.sql.pageForward : this.sql.pageBack;
    const rows = read.all(pairId, after ?? 0, before ?? Number.MAX_SAFE_INTEGER, limit + 1) as MessageRow[];
    return toHistoryPage(rows, limit, forward);
  }

  async messagesAfter(pairId: number, afterSeq: number, limit: number): Promise<Message[]> {
    return (this.sql.after.all(pairId, afterSeq, limit) as MessageRow[]).map(toMessage);
  }

  async messagesBefore(pairId: number, beforeSeq: number, limit: number): Promise<Message[]> {
    return (this.sql.before.all(pairId, beforeSeq, limit) as MessageRow[]).map(toMessage).reverse();
  }

  async lastSeqs(pairIds: readonly number[]): Promise<Map<number, number>> {
    if (pairIds.length === 0) return new Map();
    // One JSON array parameter: a list of any length in one statement.
    const rows = this.sql.lastSeqs.all(JSON.stringify(pairIds)) as { id: number; last_seq: number }[];
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }

  async markRead(pairId: number, readerId: number): Promise<ReadResult> {
    const rows = this.db.transaction(() => {
      const marked = this.sql.markRead.all(pairId, readerId, pairId, readerId, readerId) as { id: number }[];
      if (marked.length > 0) this.sql.cancelReminder.run(Date.now(), pairId, readerId);
      return marked;
    }).immediate();
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

  async directory(query: DirectoryQuery): Promise<DirectoryPage> {
    const rows = this.sql.directory.all({
      after: query.afterId ?? 0,
      role: query.role ?? null,
      status: query.status ?? null,
      search: query.search ? likePattern(query.search) : null,
      limit: query.limit + 1,
    }) as UserRow[];
    const page = rows.slice(0, query.limit).map(toUser);
    const ids = page.map((user) => user.id);
    const partners = this.sql.partnersOf.all({ ids: JSON.stringify(ids) }) as PartnerRow[];
    return directoryPage(page, partners, rows.length > query.limit);
  }

  async countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]> {
    const run = this.db.transaction(() => {
      const counted = keys.map((key) => this.sql.countAttempt.get({ key, now: now.getTime(), since: windowStart.getTime() }) as
        { key: string; attempts: number; window_started_at: number });
      this.sql.purgeAttempts.run(windowStart.getTime());
      return counted;
    });
    return run.immediate().map((row) => ({ key: row.key, count: row.attempts, windowStartedAt: new Date(row.window_started_at) }));
  }

  async refundLoginAttempt(keys: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      for (const key of keys) this.sql.refundAttempt.run(key);
    }).immediate();
  }

  async claimWebhooks(limit: number, leaseMs: number): Promise<WebhookEvent[]> {
    const now = Date.now();
    const rows = this.sql.claim.all({ now, until: now + leaseMs, limit }) as WebhookRow[];
    return rows.map(toWebhookEvent).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
  }

  async webhookFacts(events: readonly WebhookEvent[]): Promise<WebhookFacts[]> {
    if (events.length === 0) return [];
    const ids = (pick: (event: WebhookEvent) => number | null) => JSON.stringify([...new Set(events.map(pick).filter((id) => id !== null))]);
    const pairs = byId(this.sql.pairsById.all(ids((event) => event.pairId)) as PairRow[]);
    const users = byId((this.sql.usersById.all(JSON.stringify([...pairs.values()].flatMap((pair) => [pair.mentor_id, pair.mentee_id]))) as UserRow[]).map(toUser));
    const reminders = events.filter((event) => event.recipientId !== null).map((event) => [event.pairId, event.recipientId]);
    const unread = new Map((this.sql.unreadOf.all(JSON.stringify(reminders)) as UnreadRow[]).map((row) => [`${row.pair_id}:${row.recipient_id}`, row]));
    const held = byId((this.sql.heldByIds.all(ids((event) => event.heldId)) as HeldRow[]).map(toHeld));
    const reports = byId((this.sql.reportsByIds.all(ids((event) => event.reportId)) as ReportRow[]).map(toReport));
    const messageIds = [
      ...events.map((event) => event.messageId), ...[...unread.values()].map((row) => row.oldest), ...[...reports.values()].map((report) => report.messageId),
    ].filter((id) => id !== null);
    const messages = byId((this.sql.messagesByIds.all(JSON.stringify([...new Set(messageIds)])) as MessageRow[]).map(toMessage));
    return events.map((event) => outboxFacts(event, { pairs, users, unread, held, reports, messages }));
  }

  async setWebhookData(bodies: readonly WebhookSavedBody[]): Promise<Set<number>> {
    const saved = new Set<number>();
    if (bodies.length === 0) return saved;
    const now = Date.now();
    this.db.transaction(() => {
      for (const { id, data, erased } of bodies) {
        if (data === null) this.sql.cancelEvent.run(now, id);
        else if (this.sql.setData.run(data, id, erased).changes > 0) saved.add(id);
      }
    }).immediate();
    return saved;
  }

  async recordWebhookAttempts(attempts: readonly WebhookOutcome[]): Promise<void> {
    if (attempts.length === 0) return;
    const now = Date.now();
    this.db.transaction(() => {
      for (const { id, attempt } of attempts) {
        if (attempt.delivered) this.sql.delivered.run(now, id);
        else if (attempt.retryInMs === null) this.sql.failed.run(now, attempt.error, id);
        else this.sql.retryLater.run(now + attempt.retryInMs, attempt.error, id);
      }
    }).immediate();
  }

  async listWebhooks(status: WebhookStatus, limit: number, beforeId?: number): Promise<WebhookEvent[]> {
    return (this.sql.listEvents.all(status, beforeId ?? Number.MAX_SAFE_INTEGER, limit) as WebhookRow[]).map(toWebhookEvent);
  }

  async webhookById(eventId: string): Promise<WebhookEvent | null> {
    const row = this.sql.eventById.get(eventId) as WebhookRow | undefined;
    return row ? toWebhookEvent(row) : null;
  }

  async retryWebhook(eventId: string): Promise<boolean> {
    return this.sql.retryEvent.run({ id: eventId, now: Date.now() }).changes > 0;
  }

  async webhookBacklog(): Promise<WebhookBacklog> {
    const row = this.sql.backlog.get() as { n: number; oldest: number | null };
    return { pending: row.n, oldestCreatedAt: row.oldest === null ? null : new Date(row.oldest) };
  }

  wordListChanges(): Promise<WordListChange[]> {
    return this.words.wordListChanges();
  }

  changeWordList(add: readonly string[], remove: readonly string[]): Promise<void> {
    return this.words.changeWordList(add, remove);
  }

  async ping(): Promise<void> {
    this.sql.ping.get();
  }

  async close(): Promise<void> {
    await this.appends.drain();
    this.db.close();
  }

  /** Commits a batch in one immediate transaction; a refused append fails alone. */
  private commitBatch(batch: ReadonlyArray<NewMessage & { unlessHeld?: boolean }>): Array<AppendResult | { held: HeldMessage } | AppError> {
    return this.db.transaction(() => batch.map((input) => this.appendOne(input))).immediate();
  }

  /** Two statements when the append is accepted; the checks are repeated one by one only to tell a refusal (or a retry) apart. */
  private appendOne(input: NewMessage & { unlessHeld?: boolean }): AppendResult | { held: HeldMessage } | AppError {
    const clientId = input.clientId ?? null;
    if (input.unlessHeld && clientId !== null) {
      const held = this.sql.heldUnapproved.get(input.pairId, input.senderId, clientId) as HeldRow | undefined;
      if (held) return { held: toHeld(held) };
    }
    const next = this.sql.nextSeq.get(input.pairId, input.senderId, input.senderId, input.senderId, clientId) as { last_seq: number } | undefined;
    if (!next) return this.refusal(input.pairId, input.senderId, clientId);
    const createdAt = Date.now();
    const { id } = this.sql.insertMessage.get(input.pairId, next.last_seq, input.senderId, input.content, createdAt, clientId) as { id: number };
    this.writeMessageEvents(input.pairId, input.senderId, id);
    const message: Message = {
      id, pairId: input.pairId, seq: next.last_seq, kind: 'message', senderId: input.senderId, content: input.content,
      createdAt: new Date(createdAt), isRead: false, clientId,
    };
    return { message, created: true };
  }

  /**
   * Why `nextSeq` found no row, in the order the contract gives: no longer matched (even a
   * retry), else a retry of a stored message (its original, also while paused), else paused.
   */
  private refusal(pairId: number, senderId: number, clientId: string | null): AppendResult | AppError {
    if (!this.sql.senderInActivePair.get(pairId, senderId, senderId)) return new AppError('not_matched');
    const earlier = clientId === null ? undefined : (this.sql.byClientId.get(pairId, senderId, clientId) as MessageRow | undefined);
    if (earlier) return { message: toMessage(earlier), created: false };
    return new AppError('match_paused');
  }

  /** A stored (or approved) message's `message.created`, and its receiver's reminder unless one is pending; in the caller's transaction. */
  private writeMessageEvents(pairId: number, senderId: number, messageId: number): void {
    if (!this.outbox) return;
    const pair = this.sql.pairById.get(pairId) as PairRow;
    this.writeEvent('message.created', pairId, { message: messageId });
    this.writeEvent('message.unread', pairId, {
      recipient: pair.mentor_id === senderId ? pair.mentee_id : pair.mentor_id,
      dueInMs: this.outbox.unreadAfterMs,
    });
  }

  /** Writes an event in the caller's transaction, when the outbox is on; a second pending reminder is ignored. */
  private writeEvent(type: WebhookEventType, pairId: number, fields: { message?: number; recipient?: number; held?: number; report?: number; detail?: object; dueInMs?: number }): void {
    if (!this.outbox) return;
    const now = Date.now();
    this.sql.insertEvent.run({
      type, pair: pairId, message: fields.message ?? null, recipient: fields.recipient ?? null, held: fields.held ?? null, report: fields.report ?? null,
      detail: fields.detail === undefined ? null : JSON.stringify(fields.detail), now, due: now + (fields.dueInMs ?? 0),
    });
  }

  private matchFromRow(row: MatchRow): Match {
    return toMatch(row, toUser(this.sql.userById.get(row.mentor_id) as UserRow), toUser(this.sql.userById.get(row.mentee_id) as UserRow));
  }
}

/** The migrations not yet applied, each in its own immediate transaction. */
function migrate(db: Database.Database): Promise<void> {
  return runMigrations<Database.Database>({
    async transaction(body) {
      db.exec('BEGIN IMMEDIATE');
      try {
        db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
        await body(db);
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    isApplied: async (tx, version) => tx.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version) !== undefined,
    apply: async (tx, migration) => void tx.exec(migration.sqlite),
    record: async (tx, migration) => void tx.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now()),
  }, MIGRATIONS);
}
