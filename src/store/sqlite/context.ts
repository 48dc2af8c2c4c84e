/** What SqliteStore's parts share: the database, the pair's next `seq` and the outbox's writes. */
import type Database from 'better-sqlite3';
import type { EventWriter } from './events.js';
import type { PairSeqs } from './seq.js';

export interface SqliteContext {
  db: Database.Database;
  seqs: PairSeqs;
  events: EventWriter;
}
