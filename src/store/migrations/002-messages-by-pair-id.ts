import type { Migration } from './runner.js';

/** Finds a pair's messages by id (resume with `?after=<message_id>`, history by id). */
export const messagesByPairId: Migration = {
  version: 2,
  name: 'messages-by-pair-id',
  sqlite: 'CREATE INDEX messages_by_pair_id ON messages(pair_id, id);',
  postgres: 'CREATE INDEX messages_by_pair_id ON messages(pair_id, id);',
};
