/** SqliteStore's sessions and sign-in attempts (see SessionStore in users.ts). */
import type Database from 'better-sqlite3';
import { USER_COLUMNS, toUser, type UserRow } from '../rows.js';
import type { LoginAttempts, SessionRecord, SessionStore, User } from '../types.js';
import { transaction } from './tx.js';

export class SqliteSessions implements SessionStore {
  private readonly sql;

  constructor(private readonly db: Database.Database) {
    const p = (source: string) => db.prepare(source);
    this.sql = {
      insertSession: p('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      userBySession: p(
        `SELECT ${USER_COLUMNS.replace(/(\w+)/g, 'u.$1')} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
      ),
      revokeSession: p('UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL'),
      liveSessions: p(
        'SELECT token_hash, created_at, expires_at FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, token_hash',
      ),
      revokeSessionsOf: p('UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING token_hash'),
      countAttempt: p(`
        INSERT INTO login_attempts (key, attempts, window_started_at) VALUES (@key, 1, @now)
        ON CONFLICT (key) DO UPDATE SET
          attempts = CASE WHEN window_started_at <= @since THEN 1 ELSE attempts + 1 END,
          window_started_at = CASE WHEN window_started_at <= @since THEN @now ELSE window_started_at END
        RETURNING key, attempts, window_started_at`),
      purgeAttempts: p('DELETE FROM login_attempts WHERE window_started_at <= ?'),
      refundAttempt: p('UPDATE login_attempts SET attempts = max(attempts - 1, 0) WHERE key = ?'),
      insertReset: p('INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      resetUser: p('SELECT user_id FROM password_resets WHERE token_hash = ? AND expires_at > ?'),
      takeReset: p('DELETE FROM password_resets WHERE token_hash = ? RETURNING user_id, expires_at'),
      dropResetsOf: p('DELETE FROM password_resets WHERE user_id = ?'),
    };
  }

  async create(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    this.sql.insertSession.run(tokenHash, userId, Date.now(), expiresAt.getTime());
  }

  async userOf(tokenHash: string, now: Date): Promise<User | null> {
    const row = this.sql.userBySession.get(tokenHash, now.getTime()) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async revoke(tokenHash: string): Promise<boolean> {
    return this.sql.revokeSession.run(Date.now(), tokenHash).changes > 0;
  }

  async liveOf(userId: number, now: Date): Promise<SessionRecord[]> {
    const rows = this.sql.liveSessions.all(userId, now.getTime()) as Array<{ token_hash: string; created_at: number; expires_at: number }>;
    return rows.map((row) => ({ tokenHash: row.token_hash, createdAt: new Date(row.created_at), expiresAt: new Date(row.expires_at) }));
  }

  async revokeAllOf(userId: number): Promise<string[]> {
    return (this.sql.revokeSessionsOf.all(Date.now(), userId) as Array<{ token_hash: string }>).map((row) => row.token_hash);
  }

  async countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]> {
    const counted = transaction(this.db, () => {
      const rows = keys.map(
        (key) =>
          this.sql.countAttempt.get({ key, now: now.getTime(), since: windowStart.getTime() }) as { key: string; attempts: number; window_started_at: number },
      );
      this.sql.purgeAttempts.run(windowStart.getTime());
      return rows;
    });
    return counted.map((row) => ({ key: row.key, count: row.attempts, windowStartedAt: new Date(row.window_started_at) }));
  }

  async refundLoginAttempt(keys: readonly string[]): Promise<void> {
    transaction(this.db, () => {
      for (const key of keys) this.sql.refundAttempt.run(key);
    });
  }

  async createPasswordReset(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    this.sql.insertReset.run(tokenHash, userId, Date.now(), expiresAt.getTime());
  }

  async passwordResetUser(tokenHash: string, now: Date): Promise<number | null> {
    const row = this.sql.resetUser.get(tokenHash, now.getTime()) as { user_id: number } | undefined;
    return row?.user_id ?? null;
  }

  async usePasswordReset(tokenHash: string, now: Date): Promise<boolean> {
    return transaction(this.db, () => {
      const row = this.sql.takeReset.get(tokenHash) as { user_id: number; expires_at: number } | undefined;
      if (row === undefined || row.expires_at <= now.getTime()) return false;
      this.sql.dropResetsOf.run(row.user_id);
      return true;
    });
  }
}
