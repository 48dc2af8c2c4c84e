/** PostgresStore's accounts (see AccountStore in users.ts). */
import type pg from 'pg';
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
import { isUniqueViolation } from './errors.js';
import { inTransaction, rowsOf, type Queryable } from './pool.js';

type Read = (db: Queryable, lock: string) => Promise<AccountRow[]>;

export class PostgresAccounts implements AccountStore {
  constructor(private readonly pool: () => pg.Pool) {}

  async create(user: NewUser): Promise<User> {
    try {
      const [row] = await rowsOf<UserRow>(
        this.pool(),
        `
        INSERT INTO users (email, password_hash, first_name, last_name, role, created_at)
        VALUES ($1, $2, $3, $4, $5, now()) RETURNING ${USER_COLUMNS}`,
        [user.email, user.passwordHash, user.firstName, user.lastName, user.role],
      );
      return toUser(row!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError('email_taken', undefined, { cause: error });
      throw error;
    }
  }

  async byEmail(email: string): Promise<User | null> {
    const [row] = await rowsOf<UserRow>(this.pool(), `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
    return row ? toUser(row) : null;
  }

  async upsert(user: ExternalUser): Promise<UpsertResult> {
    const id = user.platformId ?? null;
    const read: Read = (db, lock) =>
      rowsOf<AccountRow>(
        db,
        `
      SELECT ${ACCOUNT_COLUMNS} FROM users WHERE email = $1 OR (platform_issuer = $2 AND platform_subject = $3) ORDER BY id ${lock}`,
        [user.email, id?.issuer ?? null, id?.subject ?? null],
      );
    const find = (rows: AccountRow[]) =>
      accountOf(
        user,
        id ? rows.find((r) => r.platform_issuer === id.issuer && r.platform_subject === id.subject) : undefined,
        rows.find((r) => r.email === user.email),
      );
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

  /** `upsert` under the locks of the accounts it reads. */
  private upsertLocked(user: ExternalUser, read: Read, find: (rows: AccountRow[]) => AccountRow | null): Promise<UpsertResult> {
    const id = user.platformId ?? null;
    return inTransaction(this.pool(), async (tx) => {
      // The accounts of the platform id and of the email, locked: a match of them (which locks
      // its users, see participants) waits for this call, or this call for it.
      let row = find(await read(tx, 'FOR UPDATE'));
      if (!row) {
        // Nothing on either key; a concurrent call may insert first (then nothing comes back here).
        const [created] = await rowsOf<UserRow>(
          tx,
          `
          INSERT INTO users (email, password_hash, first_name, last_name, role, created_at, platform_issuer, platform_subject)
          VALUES ($1, $2, $3, $4, $5, now(), $6, $7) ON CONFLICT DO NOTHING RETURNING ${USER_COLUMNS}`,
          [user.email, NO_PASSWORD, user.firstName, user.lastName, user.role, id?.issuer ?? null, id?.subject ?? null],
        );
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
      const [updated] = await rowsOf<UserRow>(
        tx,
        `
        UPDATE users SET email = $1, first_name = $2, last_name = $3, role = $4, password_hash = $5,
          platform_issuer = CASE WHEN platform_subject IS NULL THEN $6 ELSE platform_issuer END, platform_subject = COALESCE(platform_subject, $7)
        WHERE id = $8 RETURNING ${USER_COLUMNS}`,
        [user.email, user.firstName, user.lastName, user.role, NO_PASSWORD, id?.issuer ?? null, id?.subject ?? null, row.id],
      );
      const revokedSessions = change.claim
        ? (
            await rowsOf<{ token_hash: string }>(tx, 'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash', [
              row.id,
            ])
          ).map((r) => r.token_hash)
        : [];
      return { user: toUser(updated!), created: false, changed: true, revokedSessions };
    });
  }

  async byIds(ids: readonly number[]): Promise<User[]> {
    const known = ids.filter(Number.isSafeInteger);
    if (known.length === 0) return [];
    return (await rowsOf<UserRow>(this.pool(), `SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::bigint[])`, [known])).map(toUser);
  }

  async credentials(email: string): Promise<{ user: User; passwordHash: string } | null> {
    const [row] = await rowsOf<UserRow & { password_hash: string }>(this.pool(), `SELECT ${USER_COLUMNS}, password_hash FROM users WHERE email = $1`, [email]);
    return row ? { user: toUser(row), passwordHash: row.password_hash } : null;
  }

  async replacePasswordHash(userId: number, previous: string, next: string): Promise<boolean> {
    return (
      (await rowsOf(this.pool(), 'UPDATE users SET password_hash = $1 WHERE id = $2 AND password_hash = $3 RETURNING 1', [next, userId, previous])).length > 0
    );
  }

  async directory(query: DirectoryQuery): Promise<DirectoryPage> {
    const rows = await rowsOf<DirectoryRow>(
      this.pool(),
      `
      SELECT ${USER_COLUMNS},
        (SELECT MAX(p.ended_at) FROM pairs p WHERE NOT p.active AND (p.mentor_id = u.id OR p.mentee_id = u.id)) AS last_ended_at
      FROM users u
      WHERE u.id > $1 AND ($2::text IS NULL OR u.role = $2)
        AND ($4::text IS NULL OR lower(u.email) LIKE $4 OR lower(u.first_name || ' ' || u.last_name) LIKE $4)
        AND ($3::text IS NULL OR (u.role <> 'ADMIN' AND
             EXISTS (SELECT 1 FROM pairs p WHERE p.active AND (p.mentor_id = u.id OR p.mentee_id = u.id)) = ($3 = 'matched')))
      ORDER BY u.id LIMIT $5`,
      [query.afterId ?? 0, query.role ?? null, query.status ?? null, query.search ? likePattern(query.search) : null, query.limit + 1],
    );
    const page = rows.slice(0, query.limit);
    const ids = page.map((row) => row.id);
    const partners =
      ids.length === 0
        ? []
        : await rowsOf<PartnerRow>(
            this.pool(),
            `
      SELECT p.id AS pair_id, p.mentor_id AS owner_id, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at
      FROM pairs p JOIN users u ON u.id = p.mentee_id WHERE p.active AND p.mentor_id = ANY($1::bigint[])
      UNION ALL
      SELECT p.id AS pair_id, p.mentee_id AS owner_id, u.id, u.email, u.first_name, u.last_name, u.role, u.created_at
      FROM pairs p JOIN users u ON u.id = p.mentor_id WHERE p.active AND p.mentee_id = ANY($1::bigint[])
      ORDER BY pair_id`,
            [ids],
          );
    return directoryPage(page, partners, rows.length > query.limit);
  }
}
