import type { Migration } from './runner.js';

/** A coordinator's announcements to every mentor and mentee, or to one side (PROTOCOL.md Part 9). */
export const announcements: Migration = {
  version: 17,
  name: 'announcements',
  sqlite: `
    CREATE TABLE announcements (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      content TEXT NOT NULL,
      audience TEXT NOT NULL CHECK (audience IN ('all', 'mentors', 'mentees')),
      created_at INTEGER NOT NULL
    );
  `,
  postgres: `
    CREATE TABLE announcements (
      id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      content TEXT NOT NULL,
      audience TEXT NOT NULL CHECK (audience IN ('all', 'mentors', 'mentees')),
      created_at TIMESTAMPTZ NOT NULL
    );
  `,
};
