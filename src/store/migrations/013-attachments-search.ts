import type { Migration } from './runner.js';

/**
 * Attachments and search (PROTOCOL.md Part 8).
 *
 * Files are rows: every instance that reaches the database serves every file, backups hold
 * them, and erasure and retention remove them in the transactions that remove their messages
 * (a file goes with its message: `ON DELETE CASCADE`). A message and a held message carry the
 * summary of their files (`attachments`, JSON), written once when they are sent, so every read
 * of a message has it without a join.
 *
 * Search: SQLite indexes messages in an FTS5 table whose content is the messages table itself
 * (no second copy of the text), kept in step by triggers in the storing transaction; PostgreSQL
 * keeps a generated `tsvector` beside the text, with a GIN index, in a text search
 * configuration that folds accents (`unaccent`, a trusted extension a database owner may
 * create). Only participants' messages are indexed, and only while `searchable` (a deleted
 * message is not); held messages live elsewhere until approved.
 */
export const attachmentsSearch: Migration = {
  version: 13,
  name: 'attachments-search',
  sqlite: `
    CREATE TABLE attachments (
      id INTEGER PRIMARY KEY,
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      uploader_id INTEGER NOT NULL REFERENCES users(id),
      name TEXT NOT NULL,
      content_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      bytes BLOB NOT NULL,
      created_at INTEGER NOT NULL,
      message_id INTEGER REFERENCES messages(id) ON DELETE CASCADE,
      held_id INTEGER REFERENCES held_messages(id) ON DELETE CASCADE
    );
    CREATE INDEX attachments_by_message ON attachments(message_id);
    CREATE INDEX attachments_by_held ON attachments(held_id);
    CREATE INDEX attachments_by_uploader ON attachments(uploader_id, created_at);
    CREATE INDEX attachments_unsent ON attachments(created_at) WHERE message_id IS NULL AND held_id IS NULL;
    ALTER TABLE messages ADD COLUMN attachments TEXT;
    ALTER TABLE held_messages ADD COLUMN attachments TEXT;
    ALTER TABLE messages ADD COLUMN searchable INTEGER NOT NULL DEFAULT 1;

    CREATE VIRTUAL TABLE message_search USING fts5(
      content, content = 'messages', content_rowid = 'id', tokenize = 'porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER message_search_insert AFTER INSERT ON messages
      WHEN new.kind = 'message' AND new.searchable = 1 AND new.content <> '' BEGIN
      INSERT INTO message_search (rowid, content) VALUES (new.id, new.content);
    END;
    CREATE TRIGGER message_search_delete AFTER DELETE ON messages
      WHEN old.kind = 'message' AND old.searchable = 1 AND old.content <> '' BEGIN
      INSERT INTO message_search (message_search, rowid, content) VALUES ('delete', old.id, old.content);
    END;
    CREATE TRIGGER message_search_unindex AFTER UPDATE OF content, searchable ON messages
      WHEN old.kind = 'message' AND old.searchable = 1 AND old.content <> '' BEGIN
      INSERT INTO message_search (message_search, rowid, content) VALUES ('delete', old.id, old.content);
    END;
    CREATE TRIGGER message_search_reindex AFTER UPDATE OF content, searchable ON messages
      WHEN new.kind = 'message' AND new.searchable = 1 AND new.content <> '' BEGIN
      INSERT INTO message_search (rowid, content) VALUES (new.id, new.content);
    END;
    INSERT INTO message_search (rowid, content) SELECT id, content FROM messages WHERE kind = 'message' AND content <> '';
  `,
  postgres: `
    CREATE TABLE attachments (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      uploader_id BIGINT NOT NULL REFERENCES users(id),
      name TEXT NOT NULL,
      content_type TEXT NOT NULL,
      size INTEGER NOT NULL,
      bytes BYTEA NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      message_id BIGINT REFERENCES messages(id) ON DELETE CASCADE,
      held_id BIGINT REFERENCES held_messages(id) ON DELETE CASCADE
    );
    CREATE INDEX attachments_by_message ON attachments(message_id);
    CREATE INDEX attachments_by_held ON attachments(held_id);
    CREATE INDEX attachments_by_uploader ON attachments(uploader_id, created_at);
    CREATE INDEX attachments_unsent ON attachments(created_at) WHERE message_id IS NULL AND held_id IS NULL;
    ALTER TABLE messages ADD COLUMN attachments TEXT;
    ALTER TABLE held_messages ADD COLUMN attachments TEXT;
    ALTER TABLE messages ADD COLUMN searchable BOOLEAN NOT NULL DEFAULT true;

    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE TEXT SEARCH CONFIGURATION tandem_search (COPY = pg_catalog.english);
    ALTER TEXT SEARCH CONFIGURATION tandem_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
    ALTER TABLE messages ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
      CASE WHEN kind = 'message' AND searchable THEN to_tsvector('tandem_search'::regconfig, content) END
    ) STORED;
    CREATE INDEX messages_search ON messages USING gin (search_doc);
  `,
};
