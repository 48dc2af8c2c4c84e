import type { Migration } from './runner.js';

/** Users, sessions, pairs (with the per-pair `seq` counter) and messages. */
export const initial: Migration = {
  version: 1,
  name: 'initial',
  sqlite: `
    CREATE TABLE users (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      first_name TEXT NOT NULL,
      last_name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('MENTOR', 'MENTEE', 'ADMIN')),
      created_at INTEGER NOT NULL
    );
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      revoked_at INTEGER
    );
    CREATE INDEX sessions_by_user ON sessions(user_id);
    CREATE TABLE pairs (
      id INTEGER PRIMARY KEY,
      mentor_id INTEGER NOT NULL REFERENCES users(id),
      mentee_id INTEGER NOT NULL REFERENCES users(id),
      active INTEGER NOT NULL DEFAULT 1,
      matched_at INTEGER NOT NULL,
      ended_at INTEGER,
      last_seq INTEGER NOT NULL DEFAULT 0,
      UNIQUE (mentor_id, mentee_id)
    );
    CREATE UNIQUE INDEX pairs_one_active_per_mentee ON pairs(mentee_id) WHERE active = 1;
    CREATE INDEX pairs_active_by_mentor ON pairs(mentor_id) WHERE active = 1;
    CREATE TABLE messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      seq INTEGER NOT NULL,
      sender_id INTEGER NOT NULL REFERENCES users(id),
      content TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      is_read INTEGER NOT NULL DEFAULT 0,
      client_id TEXT,
      UNIQUE (pair_id, seq)
    );
    CREATE UNIQUE INDEX messages_by_client_id ON messages(pair_id, sender_id, client_id) WHERE client_id IS NOT NULL;
    CREATE INDEX messages_unread ON messages(pair_id, sender_id) WHERE is_read = 0;
  `,
  postgres: `
    CREATE TABLE users (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL,
      first_name TEXT NOT NULL,
      last_name TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('MENTOR', 'MENTEE', 'ADMIN')),
      created_at TIMESTAMPTZ NOT NULL
    );
    CREATE TABLE sessions (
      token_hash TEXT PRIMARY KEY,
      user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at TIMESTAMPTZ NOT NULL,
      expires_at TIMESTAMPTZ NOT NULL,
      revoked_at TIMESTAMPTZ
    );
    CREATE INDEX sessions_by_user ON sessions(user_id);
    CREATE TABLE pairs (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      mentor_id BIGINT NOT NULL REFERENCES users(id),
      mentee_id BIGINT NOT NULL REFERENCES users(id),
      active BOOLEAN NOT NULL DEFAULT TRUE,
      matched_at TIMESTAMPTZ NOT NULL,
      ended_at TIMESTAMPTZ,
      last_seq BIGINT NOT NULL DEFAULT 0,
      UNIQUE (mentor_id, mentee_id)
    );
    CREATE UNIQUE INDEX pairs_one_active_per_mentee ON pairs(mentee_id) WHERE active;
    CREATE INDEX pairs_active_by_mentor ON pairs(mentor_id) WHERE active;
    CREATE TABLE messages (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      seq BIGINT NOT NULL,
      sender_id BIGINT NOT NULL REFERENCES users(id),
      content TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      is_read BOOLEAN NOT NULL DEFAULT FALSE,
      client_id TEXT,
      UNIQUE (pair_id, seq)
    );
    CREATE UNIQUE INDEX messages_by_client_id ON messages(pair_id, sender_id, client_id) WHERE client_id IS NOT NULL;
    CREATE INDEX messages_unread ON messages(pair_id, sender_id) WHERE NOT is_read;
  `,
};
