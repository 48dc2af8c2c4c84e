import type { Migration } from './runner.js';

/**
 * Edit, delete, reply and reactions (PROTOCOL.md Part 8). A change to a message takes a place
 * in its pair's timeline: a row of `message_changes` with the pair's next `seq`, taken from the
 * same `pairs.last_seq` as messages and notices, so that it reaches every connection once and
 * in order by the path messages take (live, gap fill, resume, the delivery check). A message
 * keeps its row and `seq` when deleted: its content leaves `messages` at once and waits in
 * `message_versions` (with the texts an edit replaced) for admins' review until retention
 * erases it. A reply keeps a preview of what it answers, blanked when that is deleted or erased.
 * A change outlives its message when retention deletes that (its row keeps its `seq`, so the
 * timeline has no gap; a trigger empties an edit's text with the message), hence no foreign key.
 * A reaction has an id of its own, so that move-store copies the table in key order.
 */
export const messageChanges: Migration = {
  version: 12,
  name: 'message-changes',
  sqlite: `
    ALTER TABLE messages ADD COLUMN edited_at INTEGER;
    ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
    ALTER TABLE messages ADD COLUMN reply_to INTEGER REFERENCES messages(id) ON DELETE SET NULL;
    ALTER TABLE messages ADD COLUMN reply_sender_id INTEGER;
    ALTER TABLE messages ADD COLUMN reply_preview TEXT;
    CREATE INDEX messages_by_reply_to ON messages(reply_to) WHERE reply_to IS NOT NULL;
    CREATE TABLE message_changes (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      pair_id INTEGER NOT NULL REFERENCES pairs(id),
      seq INTEGER NOT NULL,
      message_id INTEGER NOT NULL,
      actor_id INTEGER NOT NULL REFERENCES users(id),
      kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'react', 'unreact')),
      content TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE UNIQUE INDEX message_changes_by_seq ON message_changes(pair_id, seq);
    CREATE INDEX message_changes_by_message ON message_changes(message_id);
    CREATE TRIGGER message_changes_forget AFTER DELETE ON messages BEGIN
      UPDATE message_changes SET content = '' WHERE message_id = OLD.id AND kind = 'edit' AND content <> '';
    END;
    CREATE TABLE message_versions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      content TEXT NOT NULL,
      cause TEXT NOT NULL CHECK (cause IN ('edit', 'delete')),
      replaced_at INTEGER NOT NULL
    );
    CREATE INDEX message_versions_by_message ON message_versions(message_id);
    CREATE TABLE message_reactions (
      id INTEGER PRIMARY KEY,
      message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      user_id INTEGER NOT NULL REFERENCES users(id),
      emoji TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (message_id, user_id, emoji)
    );
    ALTER TABLE held_messages ADD COLUMN edit_of INTEGER REFERENCES messages(id) ON DELETE CASCADE;
  `,
  postgres: `
    ALTER TABLE messages ADD COLUMN edited_at TIMESTAMPTZ;
    ALTER TABLE messages ADD COLUMN deleted_at TIMESTAMPTZ;
    ALTER TABLE messages ADD COLUMN reply_to BIGINT REFERENCES messages(id) ON DELETE SET NULL;
    ALTER TABLE messages ADD COLUMN reply_sender_id BIGINT;
    ALTER TABLE messages ADD COLUMN reply_preview TEXT;
    CREATE INDEX messages_by_reply_to ON messages(reply_to) WHERE reply_to IS NOT NULL;
    CREATE TABLE message_changes (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      pair_id BIGINT NOT NULL REFERENCES pairs(id),
      seq BIGINT NOT NULL,
      message_id BIGINT NOT NULL,
      actor_id BIGINT NOT NULL REFERENCES users(id),
      kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'react', 'unreact')),
      content TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL
    );
    CREATE UNIQUE INDEX message_changes_by_seq ON message_changes(pair_id, seq);
    CREATE INDEX message_changes_by_message ON message_changes(message_id);
    CREATE FUNCTION message_changes_forget() RETURNS trigger LANGUAGE plpgsql AS
      $$ BEGIN UPDATE message_changes SET content = '' WHERE message_id = OLD.id AND kind = 'edit' AND content <> ''; RETURN OLD; END $$;
    CREATE TRIGGER message_changes_forget AFTER DELETE ON messages
      FOR EACH ROW EXECUTE FUNCTION message_changes_forget();
    CREATE TABLE message_versions (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      content TEXT NOT NULL,
      cause TEXT NOT NULL CHECK (cause IN ('edit', 'delete')),
      replaced_at TIMESTAMPTZ NOT NULL
    );
    CREATE INDEX message_versions_by_message ON message_versions(message_id);
    CREATE TABLE message_reactions (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      message_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      user_id BIGINT NOT NULL REFERENCES users(id),
      emoji TEXT NOT NULL,
      created_at TIMESTAMPTZ NOT NULL,
      UNIQUE (message_id, user_id, emoji)
    );
    ALTER TABLE held_messages ADD COLUMN edit_of BIGINT REFERENCES messages(id) ON DELETE CASCADE;
  `,
};
