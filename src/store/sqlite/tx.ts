/**
 * SqliteStore's one transaction type, shared by its parts. better-sqlite3 is synchronous,
 * so a transaction is a function run whole between two turns of the event loop.
 */
import type Database from 'better-sqlite3';

/** The database inside an immediate transaction: what a helper that must run in its caller's transaction takes. */
export interface SqliteTx {
  readonly db: Database.Database;
}

/** Runs `work` in one immediate transaction (it holds the write lock from its first statement); it commits when `work` returns. */
export function transaction<T>(db: Database.Database, work: (tx: SqliteTx) => T): T {
  return db.transaction(() => work({ db })).immediate();
}
