import type { Migration } from './runner.js';

/** The coordinators' changes to the filter's word list (see store/word-list-types.ts). */
export const moderationWords: Migration = {
  version: 11,
  name: 'moderation-words',
  sqlite: `
    CREATE TABLE moderation_words (
      phrase TEXT PRIMARY KEY,
      listed INTEGER NOT NULL CHECK (listed IN (0, 1)),
      changed_at INTEGER NOT NULL
    );
  `,
  postgres: `
    CREATE TABLE moderation_words (
      phrase TEXT PRIMARY KEY,
      listed BOOLEAN NOT NULL,
      changed_at TIMESTAMPTZ NOT NULL
    );
  `,
};
