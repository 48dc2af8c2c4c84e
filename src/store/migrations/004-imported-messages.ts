import type { Migration } from './runner.js';

/**
 * A platform's history brought across (POST /api/import): each imported message keeps the
 * platform's id, so that importing the same file again changes nothing.
 */
export const importedMessages: Migration = {
  version: 4,
  name: 'imported-messages',
  sqlite: `
    ALTER TABLE messages ADD COLUMN external_id TEXT;
    CREATE UNIQUE INDEX messages_by_external_id ON messages(external_id) WHERE external_id IS NOT NULL;
  `,
  postgres: `
    ALTER TABLE messages ADD COLUMN external_id TEXT;
    CREATE UNIQUE INDEX messages_by_external_id ON messages(external_id) WHERE external_id IS NOT NULL;
  `,
};
