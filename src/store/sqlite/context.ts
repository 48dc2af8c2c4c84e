/** What SqliteStore's parts share: the database, the pair's next `seq`, the outbox's writes and how a message takes its files. */
import type Database from 'better-sqlite3';
import type { AttachmentLinks } from './attachment-links.js';
import type { EventWriter } from './events.js';
import type { PairSeqs } from './seq.js';

export interface SqliteContext {
  db: Database.Database;
  seqs: PairSeqs;
  events: EventWriter;
  links: AttachmentLinks;
}
