/** SqliteStore's accounts (see AccountStore in users.ts). */
import type Database from 'better-sqlite3';
import { AppError } from '../../errors.js';
import { ACCOUNT_COLUMNS, accountOf, changeOf, roleLocked, type AccountRow } from '../platform-users.js';
import { USER_COLUMNS, directoryPage, likePattern, toUser, type DirectoryRow, type PartnerRow, type UserRow } from '../rows.js';
import {
  NO_PASSWORD,
  type AccountStore,
  type DirectoryPage,
  type DirectoryQuery,
  type ExternalUser,
  type NewUser,
  type UpsertResult,
  type User,
} from '../types.js';
import { transaction } from './tx.js';

const U = USER_COLUMNS.replace(/(\w+)/g, 'u.$1');

export class SqliteAccounts implements AccountStore {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
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
      usersById: p(`SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`),
      credentials: p(`SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = ?`),
      replacePasswordHash: p('UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?'),
      directory: p(`
        SELECT ${USER_COLUMNS},
          (SELECT MAX(p.ended_at) FROM pairs p WHERE p.active = 0 AND (p.mentor_id = u.id OR p.mentee_id = u.id)) AS last_ended_at
        FROM users u
        WHERE u.id > @after AND (@role IS NULL OR u.role = @role)
          AND (@search IS NULL OR lower(u.email) LIKE @search ESCAPE '\\' OR lower(u.first_name || ' ' || u.last_name) LIKE @search ESCAPE '\\')
          AND (@status IS NULL OR (u.role <> 'ADMIN' AND
               EXISTS (SELECT 1 FROM pairs p WHERE p.active = 1 AND (p.mentor_id = u.id OR p.mentee_id = u.id)) = (@status = 'matched')))
        ORDER BY u.id LIMIT @limit`),
      partnersOf: p(`
        SELECT p.id AS pair_id, p.mentor_id AS owner_id, ${U} FROM pairs p JOIN users u ON u.id = p.mentee_id
        WHERE p.active = 1 AND p.mentor_id IN (SELECT value FROM json_each(@ids))
        UNION ALL
        SELECT p.id AS pair_id, p.mentee_id AS owner_id, ${U} FROM pairs p JOIN users u ON u.id = p.mentor_id
        WHERE p.active = 1 AND p.mentee_id IN (SELECT value FROM json_each(@ids))
        ORDER BY pair_id`),
    };
  }

  async create(user: NewUser): Promise<User> {
    try {
      const row = this.sql.insertUser.get(user.email, user.passwordHash, user.firstName, user.lastName, user.role, Date.now()) as UserRow;
      return toUser(row);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError('email_taken', undefined, { cause: error });
      throw error;
    }
  }

  async byEmail(email: string): Promise<User | null> {
    const row = this.sql.userByEmail.get(email) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async upsert(user: ExternalUser): Promise<UpsertResult> {
    const id = user.platformId ?? null;
    const find = () =>
      accountOf(
        user,
        id ? (this.sql.accountByPlatformId.get(id.issuer, id.subject) as AccountRow | undefined) : undefined,
        this.sql.accountByEmail.get(user.email) as AccountRow | undefined,
      );
    // Every request of a platform user comes here: when all is already so, no write lock is taken.
    const current = find();
    if (current && !changeOf(current, user)) return { user: toUser(current), created: false, changed: false, revokedSessions: [] };
    // Synchronous inside one transaction: no other call can come between the reads and the writes.
    return transaction(this.db, (): UpsertResult => {
      const row = find();
      if (!row) {
        const created = this.sql.insertPlatformUser.get(
          user.email,
          NO_PASSWORD,
          user.firstName,
          user.lastName,
          user.role,
          Date.now(),
          id?.issuer ?? null,
          id?.subject ?? null,
        ) as UserRow;
        return { user: toUser(created), created: true, changed: true, revokedSessions: [] };
      }
      const change = changeOf(row, user);
      if (!change) return { user: toUser(row), created: false, changed: false, revokedSessions: [] };
      if (change.roleChanges && this.sql.hasActiveMatch.get(row.id, row.id)) throw roleLocked();
      const updated = this.sql.updatePlatformUser.get(
        user.email,
        user.firstName,
        user.lastName,
        user.role,
        NO_PASSWORD,
        id?.issuer ?? null,
        id?.subject ?? null,
        row.id,
      ) as UserRow;
      const revokedSessions = change.claim ? (this.sql.revokeSessionsOf.all(Date.now(), row.id) as Array<{ token_hash: string }>).map((r) => r.token_hash) : [];
      return { user: toUser(updated), created: false, changed: true, revokedSessions };
    });
  }

  async byIds(ids: readonly number[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return (this.sql.usersById.all(JSON.stringify(ids)) as UserRow[]).map(toUser);
  }

  async credentials(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const row = this.sql.credentials.get(email) as (UserRow & { password_hash: string }) | undefined;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async replacePasswordHash(userId: number, previous: string, next: string): Promise<boolean> {
    return this.sql.replacePasswordHash.run(next, userId, previous).changes > 0;
  }

  async directory(query: DirectoryQuery): Promise<DirectoryPage> {
    const rows = this.sql.directory.all({
      after: query.afterId ?? 0,
      role: query.role ?? null,
      status: query.status ?? null,
      search: query.search ? likePattern(query.search) : null,
      limit: query.limit + 1,
    }) as DirectoryRow[];
    const page = rows.slice(0, query.limit);
    const ids = page.map((row) => row.id);
    const partners = this.sql.partnersOf.all({ ids: JSON.stringify(ids) }) as PartnerRow[];
    return directoryPage(page, partners, rows.length > query.limit);
  }
}
