/**
 * SQLite's end of `npm run move-store` (see CopySide): rows as better-sqlite3 reads them are
 * already the neutral form. AUTOINCREMENT counters live in `sqlite_sequence`; the other
 * integer keys continue after the largest id by themselves.
 */
import Database from 'better-sqlite3';
import type { CopyRow, CopySide } from '../copy-side.js';

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export class SqliteCopySide implements CopySide {
  readonly engine = 'sqlite';
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = new Database(path, { fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('synchronous = FULL');
  }

  async tables(): Promise<string[]> {
    // `shadow` tables (a full-text index's storage) belong to their virtual table.
    const rows = this.db.prepare("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type IN ('table', 'virtual')").all() as { name: string }[];
    return rows.map((row) => row.name).filter((name) => !name.startsWith('sqlite_'));
  }

  async columns(table: string): Promise<string[]> {
    return (this.db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').all(table) as { name: string }[]).map((row) => row.name);
  }

  async count(table: string): Promise<number> {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${quote(table)}`).get() as { n: number }).n;
  }

  async maxKey(table: string, key: string): Promise<number | null> {
    return (this.db.prepare(`SELECT max(${quote(key)}) AS n FROM ${quote(table)}`).get() as { n: number | null }).n;
  }

  async read(table: string, columns: readonly string[], key: string, after: unknown, limit: number): Promise<CopyRow[]> {
    const where = after === null ? '' : `WHERE ${quote(key)} > @after`;
    const statement = this.db.prepare(`SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} ${where} ORDER BY ${quote(key)} LIMIT @limit`).raw();
    return statement.all(after === null ? { limit } : { after, limit }) as CopyRow[];
  }

  async write(table: string, columns: readonly string[], _key: string, rows: readonly CopyRow[]): Promise<void> {
    const insert = this.db.prepare(
      `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    );
    this.db.transaction(() => {
      for (const row of rows) insert.run(row);
    })();
  }

  async idCounter(table: string): Promise<number> {
    const counted = this.db.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').get(table) as { seq: number } | undefined;
    return Math.max(counted?.seq ?? 0, (await this.maxKey(table, 'id')) ?? 0);
  }

  async raiseIdCounter(table: string, value: number): Promise<void> {
    const autoincrement = this.db.prepare("SELECT 1 FROM sqlite_master WHERE name = ? AND sql LIKE '%AUTOINCREMENT%'").get(table) !== undefined;
    // Without AUTOINCREMENT the next id is the largest one plus one, which the copied rows set.
    if (!autoincrement) return;
    this.db.transaction(() => {
      const changed = this.db.prepare('UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = ?').run(value, table).changes;
      if (changed === 0) this.db.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(table, value);
    })();
  }

  async snapshot(): Promise<void> {
    this.db.exec('BEGIN');
    this.db.prepare('SELECT count(*) FROM sqlite_master').get();
  }

  async close(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('COMMIT');
    this.db.close();
  }
}
