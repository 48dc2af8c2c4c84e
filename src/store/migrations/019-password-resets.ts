import type { Migration } from './runner.js';

/**
 * The one-time links an admin creates for a user who forgot their password: only the
 * token's hash is kept, and a link is gone once used.
 */
export const passwordResets: Migration = {
  version: 19,
  name: 'password-resets',
  sqlite: `
    CREATE TABLE password_resets (
      token_hash TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX password_resets_by_user ON password_resets (user_id);
  `,
  postgres: `
    CREATE TABLE password_resets (
      token_hash TEXT PRIMARY KEY,
      user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      created_at TIMESTAMPTZ NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX password_resets_by_user ON password_resets (user_id);
  `,
};
