import type { Migration } from './runner.js';

/**
 * SQLite's search index follows an edit (PROTOCOL.md Part 8). Migration 013 kept the FTS5 index in
 * step with a change of a message's text by two triggers, one taking the old text out and one
 * putting the new text in; SQLite runs the later-made trigger first, so the old text's 'delete'
 * came after the new text was indexed and took out every word the two texts share (an edited
 * message was no longer found by a word it kept). One trigger now does both, in order.
 * PostgreSQL's search column is generated from the text: nothing to change there.
 */
export const searchEdits: Migration = {
  version: 18,
  name: 'search-edits',
  sqlite: `
    DROP TRIGGER message_search_unindex;
    DROP TRIGGER message_search_reindex;
    CREATE TRIGGER message_search_update AFTER UPDATE OF content, searchable ON messages BEGIN
      INSERT INTO message_search (message_search, rowid, content)
        SELECT 'delete', old.id, old.content WHERE old.kind = 'message' AND old.searchable = 1 AND old.content <> '';
      INSERT INTO message_search (rowid, content)
        SELECT new.id, new.content WHERE new.kind = 'message' AND new.searchable = 1 AND new.content <> '';
    END;
  `,
  postgres: `SELECT 1`,
};
