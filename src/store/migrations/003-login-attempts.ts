import type { Migration } from './runner.js';

/**
 * Failed-login counters for brute-force protection, one fixed window per key (an account or
 * a client address). In the database, not in memory, so that every instance counts together.
 */
export const loginAttempts: Migration = {
  version: 3,
  name: 'login-attempts',
  sqlite: `
    CREATE TABLE login_attempts (
      key TEXT PRIMARY KEY,
      attempts INTEGER NOT NULL,
      window_started_at INTEGER NOT NULL
    );
    CREATE INDEX login_attempts_by_window ON login_attempts(window_started_at);
  `,
  postgres: `
    CREATE TABLE login_attempts (
      key TEXT PRIMARY KEY,
      attempts INTEGER NOT NULL,
      window_started_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX login_attempts_by_window ON login_attempts(window_started_at);
  `,
};
