/**
 * One end of `npm run move-store` (see move.ts): a store's tables read in key order, or
 * written with the ids they had. Rows travel between engines in one neutral form, SQLite's:
 * times as milliseconds since the epoch, booleans as 0/1, integers as numbers, text as text;
 * each engine converts its own columns to and from it.
 */

/** A row in the neutral form, its values in the order of the table's columns. */
export type CopyRow = unknown[];

export interface CopySide {
  /** `sqlite` or `postgres`, for messages. */
  readonly engine: string;
  /** Every table of the schema, the engine's own bookkeeping (sqlite_sequence) left out. */
  tables(): Promise<string[]>;
  /** The table's columns, in the order rows carry them. */
  columns(table: string): Promise<string[]>;
  count(table: string): Promise<number>;
  /** The largest value of `key` (a generated integer key), or null when the table is empty. */
  maxKey(table: string, key: string): Promise<number | null>;
  /** Up to `limit` rows with `key` above `after` (null: from the first), in `key` order. */
  read(table: string, columns: readonly string[], key: string, after: unknown, limit: number): Promise<CopyRow[]>;
  /** Inserts `rows` in one transaction, keeping their ids; a row whose key is there already is left as it is (a resumed copy). */
  write(table: string, columns: readonly string[], key: string, rows: readonly CopyRow[]): Promise<void>;
  /** The least value the table's id counter has reached (ids of deleted rows included), 0 when none. */
  idCounter(table: string): Promise<number>;
  /** Makes the table's next generated id follow `value` (never lowering it). */
  raiseIdCounter(table: string, value: number): Promise<void>;
  /** Reads from here on come from one snapshot, until `close`. */
  snapshot(): Promise<void>;
  close(): Promise<void>;
}
