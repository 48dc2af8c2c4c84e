/** PostgresStore's sessions and sign-in attempts (see SessionStore in users.ts). */
import type pg from 'pg';
import { USER_COLUMNS, toUser, type UserRow } from '../rows.js';
import type { LoginAttempts, SessionRecord, SessionStore, User } from '../types.js';
import { rowsOf } from './pool.js';

export class PostgresSessions implements SessionStore {
  constructor(private readonly pool: () => pg.Pool) {}

  async create(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    await rowsOf(this.pool(), 'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, now(), $3)', [tokenHash, userId, expiresAt]);
  }

  async userOf(tokenHash: string, now: Date): Promise<User | null> {
    const [row] = await rowsOf<UserRow>(
      this.pool(),
      `
      SELECT ${USER_COLUMNS} FROM users WHERE id = (
        SELECT user_id FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2)`,
      [tokenHash, now],
    );
    return row ? toUser(row) : null;
  }

  async revoke(tokenHash: string): Promise<boolean> {
    const revoked = await rowsOf(this.pool(), 'UPDATE sessions SET revoked_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING 1', [tokenHash]);
    return revoked.length > 0;
  }

  async liveOf(userId: number, now: Date): Promise<SessionRecord[]> {
    const rows = await rowsOf<{ token_hash: string; created_at: Date; expires_at: Date }>(
      this.pool(),
      `
      SELECT token_hash, created_at, expires_at FROM sessions
      WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 ORDER BY created_at DESC, token_hash`,
      [userId, now],
    );
    return rows.map((row) => ({ tokenHash: row.token_hash, createdAt: row.created_at, expiresAt: row.expires_at }));
  }

  async revokeAllOf(userId: number): Promise<string[]> {
    const rows = await rowsOf<{ token_hash: string }>(
      this.pool(),
      'UPDATE sessions SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL RETURNING token_hash',
      [userId],
    );
    return rows.map((row) => row.token_hash);
  }

  async countLoginAttempt(keys: readonly string[], now: Date, windowStart: Date): Promise<LoginAttempts[]> {
    if (keys.length === 0) return [];
    const rows = await rowsOf<{ key: string; attempts: number; window_started_at: Date }>(
      this.pool(),
      `
      INSERT INTO login_attempts (key, attempts, window_started_at)
      SELECT key, 1, $2 FROM unnest($1::text[]) AS t(key)
      ON CONFLICT (key) DO UPDATE SET
        attempts = CASE WHEN login_attempts.window_started_at <= $3 THEN 1 ELSE login_attempts.attempts + 1 END,
        window_started_at = CASE WHEN login_attempts.window_started_at <= $3 THEN excluded.window_started_at
                                 ELSE login_attempts.window_started_at END
      RETURNING key, attempts, window_started_at`,
      [keys, now, windowStart],
    );
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

  async createPasswordReset(tokenHash: string, userId: number, expiresAt: Date): Promise<void> {
    await rowsOf(this.pool(), 'INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, now(), $3)', [
      tokenHash,
      userId,
      expiresAt,
    ]);
  }

  async passwordResetUser(tokenHash: string, now: Date): Promise<number | null> {
    const [row] = await rowsOf<{ user_id: string }>(this.pool(), 'SELECT user_id FROM password_resets WHERE token_hash = $1 AND expires_at > $2', [
      tokenHash,
      now,
    ]);
    return row ? Number(row.user_id) : null;
  }

  async usePasswordReset(tokenHash: string, now: Date): Promise<boolean> {
    // One statement: the DELETE takes the link (a concurrent one finds it gone), then its user's other links.
    const [row] = await rowsOf<{ valid: boolean }>(
      this.pool(),
      `
      WITH taken AS (DELETE FROM password_resets WHERE token_hash = $1 RETURNING user_id, expires_at > $2 AS valid),
           others AS (DELETE FROM password_resets WHERE user_id IN (SELECT user_id FROM taken WHERE valid) AND token_hash <> $1)
      SELECT valid FROM taken`,
      [tokenHash, now],
    );
    return row?.valid === true;
  }
}
