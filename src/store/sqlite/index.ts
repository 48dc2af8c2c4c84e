/**
 * The embedded Store: SQLite through better-sqlite3, in WAL mode with `synchronous=FULL`
 * so that a resolved `messages.append` is on disk. One file per part; they share the
 * database, its transactions (tx.ts), the pair's next `seq` (seq.ts) and the outbox's writes
 * (events.ts).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../migrations/index.js';
import { runMigrations } from '../migrations/runner.js';
import type { OutboxOptions, Store } from '../types.js';
import { SqliteAccounts } from './accounts.js';
import { AttachmentLinks } from './attachment-links.js';
import { SqliteAttachments } from './attachments.js';
import { SqliteAudit } from './audit.js';
import { SqliteDataRights } from './data-rights.js';
import { SqliteErasure } from './erasure.js';
import { EventWriter } from './events.js';
import { SqliteMatches } from './matches.js';
import { SqliteMessages } from './messages.js';
import { SqliteMessageChanges } from './message-changes.js';
import { SqliteModeration } from './moderation.js';
import { SqliteOutbox } from './outbox.js';
import { SqliteProgramme } from './programme.js';
import { SqliteAnnouncements } from './announcements.js';
import { SqliteReports } from './reports.js';
import { SqliteSearch } from './search.js';
import { PairSeqs } from './seq.js';
import { SqliteSessions } from './sessions.js';
import type { SqliteContext } from './context.js';

export class SqliteStore implements Store {
  readonly accounts: SqliteAccounts;
  readonly sessions: SqliteSessions;
  readonly matches: SqliteMatches;
  readonly messages: SqliteMessages;
  readonly changes: SqliteMessageChanges;
  readonly moderation: SqliteModeration;
  readonly reports: SqliteReports;
  readonly audit: SqliteAudit;
  readonly outbox: SqliteOutbox;
  readonly dataRights: SqliteDataRights;
  readonly programme: SqliteProgramme;
  readonly announcements: SqliteAnnouncements;
  readonly attachments: SqliteAttachments;
  readonly search: SqliteSearch;
  private readonly pingStatement;

  private constructor(
    private readonly db: Database.Database,
    outbox: OutboxOptions | null,
  ) {
    const context: SqliteContext = { db, seqs: new PairSeqs(db), events: new EventWriter(db, outbox), links: new AttachmentLinks(db) };
    const erasure = new SqliteErasure(context);
    this.accounts = new SqliteAccounts(db);
    this.sessions = new SqliteSessions(db);
    this.matches = new SqliteMatches(context);
    this.messages = new SqliteMessages(context);
    this.changes = new SqliteMessageChanges(context);
    this.moderation = new SqliteModeration(context);
    this.reports = new SqliteReports(context, erasure);
    this.audit = new SqliteAudit(context);
    this.outbox = new SqliteOutbox(db);
    this.programme = new SqliteProgramme(context);
    this.announcements = new SqliteAnnouncements(db);
    this.dataRights = new SqliteDataRights(context, erasure);
    this.attachments = new SqliteAttachments(context);
    this.search = new SqliteSearch(context);
    this.pingStatement = db.prepare('SELECT 1');
  }

  /** Opens (creating if needed) the database file and applies pending migrations. */
  static async open(path: string, outbox: OutboxOptions | null = null): Promise<SqliteStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    // For the whole database, not only around an erasure: text a page split, a retention
    // delete or an update moved long before still lies in free space unless it was zeroed
    // then. The cost is writes, not reads: freed cells are zeroed in pages written anyway, and
    // each page freed (retention's deletes) is written once more, as zeros.
    db.pragma('secure_delete = ON');
    try {
      await migrate(db);
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteStore(db, outbox);
  }

  async ping(): Promise<void> {
    this.pingStatement.get();
  }

  async close(): Promise<void> {
    await this.messages.drain();
    this.db.close();
  }
}

/** The migrations not yet applied, each in its own immediate transaction. */
function migrate(db: Database.Database): Promise<void> {
  return runMigrations<Database.Database>(
    {
      async transaction(body) {
        db.exec('BEGIN IMMEDIATE');
        try {
          db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
          await body(db);
          db.exec('COMMIT');
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      },
      isApplied: async (tx, version) => tx.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(version) !== undefined,
      apply: async (tx, migration) => void tx.exec(migration.sqlite),
      record: async (tx, migration) =>
        void tx.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now()),
    },
    MIGRATIONS,
  );
}
