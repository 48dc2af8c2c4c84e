import type { Migration } from './runner.js';

/**
 * Safeguarding (PROTOCOL.md Part 7). `messages.kind` tells a participant's message from a
 * notice in the pair's timeline (an admin viewed it), which takes a `seq` like a message so
 * that it reaches every connection by the same path. Held messages live apart, in
 * `held_messages`, and enter `messages` only when approved: nothing that reads `messages`
 * can hand a held one to the partner. Reports point at delivered messages. The audit log
 * is append-only: triggers refuse every UPDATE and DELETE of it.
 */
export const safeguarding: Migration = {
  version: 7,
  name: 'safeguarding',
  sqlite: `
    ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'admin_viewed'));
    CREATE TABLE held_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      sender_id INTEGER NOT NULL REFERENCES users(id),
      content TEXT NOT NULL,
      client_id TEXT,
      created_at INTEGER NOT NULL,
      status TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'approved', 'rejected')),
      rule TEXT NOT NULL,
      matched TEXT NOT NULL,
      reason TEXT,
      decided_by TEXT,
      decided_at INTEGER,
      message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL
    );
    CREATE UNIQUE INDEX held_by_client_id ON held_messages(pair_id, sender_id, client_id) WHERE client_id IS NOT NULL;
    CREATE INDEX held_pending ON held_messages(id) WHERE status = 'held';
    CREATE INDEX held_by_pair ON held_messages(pair_id, created_at);
    CREATE TABLE reports (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      reporter_id INTEGER NOT NULL REFERENCES users(id),
      reason TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      resolved_by TEXT,
      resolved_at INTEGER,
      resolution TEXT
    );
    CREATE INDEX reports_by_message ON reports(message_id);
    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at INTEGER NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT NOT NULL,
      detail TEXT
    );
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  postgres: `
    ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT 'message' CHECK (kind IN ('message', 'admin_viewed'));
    CREATE TABLE held_messages (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      sender_id BIGINT NOT NULL REFERENCES users(id),
      content TEXT NOT NULL,
      client_id TEXT,
      created_at TIMESTAMPTZ NOT NULL,
      status TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'approved', 'rejected')),
      rule TEXT NOT NULL,
      matched TEXT NOT NULL,
      reason TEXT,
      decided_by TEXT,
      decided_at TIMESTAMPTZ,
      message_id BIGINT REFERENCES messages(id) ON DELETE SET NULL
    );
    CREATE UNIQUE INDEX held_by_client_id ON held_messages(pair_id, sender_id, client_id) WHERE client_id IS NOT NULL;
    CREATE INDEX held_pending ON held_messages(id) WHERE status = 'held';
    CREATE INDEX held_by_pair ON held_messages(pair_id, created_at);
    CREATE TABLE reports (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      reporter_id BIGINT NOT NULL REFERENCES users(id),
      reason TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      resolved_by TEXT,
      resolved_at TIMESTAMPTZ,
      resolution TEXT
    );
    CREATE INDEX reports_by_message ON reports(message_id);
    CREATE TABLE audit_log (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at TIMESTAMPTZ NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT NOT NULL,
      detail TEXT
    );
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
    CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  `,
};
