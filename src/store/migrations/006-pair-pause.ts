import type { Migration } from './runner.js';

/**
 * A programme may pause a pair: while `paused`, the pair still connects and reads, but the
 * storing transaction refuses new messages (`match_paused`). Ended pairs keep `ended_at`,
 * which bounds how long the former pair may read its archive.
 */
export const pairPause: Migration = {
  version: 6,
  name: 'pair-pause',
  sqlite: 'ALTER TABLE pairs ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;',
  postgres: 'ALTER TABLE pairs ADD COLUMN paused BOOLEAN NOT NULL DEFAULT FALSE;',
};
