/**
 * PostgreSQL's end of `npm run move-store` (see CopySide): one connection of its own;
 * `timestamptz` and `boolean` columns converted to and from the neutral form (milliseconds,
 * 0/1), BIGINT read as numbers. Ids are written as they were (`OVERRIDING SYSTEM VALUE` past
 * the identity columns), then each identity's sequence is set to continue after them.
 */
import pg from 'pg';
import type { CopyRow, CopySide } from '../copy-side.js';

const quote = (name: string): string => pg.escapeIdentifier(name);
/** Bind parameters of one statement stay below PostgreSQL's 65 535. */
const MAX_PARAMETERS = 60_000;

type Kind = 'time' | 'boolean' | 'other';

const kindOf = (dataType: string): Kind => (dataType.startsWith('timestamp') ? 'time' : dataType === 'boolean' ? 'boolean' : 'other');

function toNeutral(value: unknown): unknown {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'boolean') return value ? 1 : 0;
  // A json/jsonb column (SQLite keeps JSON as text); PostgreSQL takes the text back as JSON.
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function fromNeutral(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'time') return new Date(Number(value));
  if (kind === 'boolean') return Number(value) !== 0;
  return value;
}

export class PostgresCopySide implements CopySide {
  readonly engine = 'postgres';
  private readonly kinds = new Map<string, Map<string, Kind>>();

  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<PostgresCopySide> {
    const client = new pg.Client({
      connectionString: url,
      application_name: 'tandem-move-store',
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
          oid === 20 ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
      },
    });
    await client.connect();
    return new PostgresCopySide(client);
  }

  async tables(): Promise<string[]> {
    const { rows } = await this.client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    return rows.map((row) => row.table_name);
  }

  async columns(table: string): Promise<string[]> {
    return [...(await this.kindsOf(table)).keys()];
  }

  async count(table: string): Promise<number> {
    return Number((await this.client.query<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${quote(table)}`)).rows[0]!.n);
  }

  async maxKey(table: string, key: string): Promise<number | null> {
    return (await this.client.query<{ n: number | null }>(`SELECT max(${quote(key)}) AS n FROM ${quote(table)}`)).rows[0]!.n;
  }

  async read(table: string, columns: readonly string[], key: string, after: unknown, limit: number): Promise<CopyRow[]> {
    const where = after === null ? '' : `WHERE ${quote(key)} > $2`;
    const text = `SELECT ${columns.map(quote).join(', ')} FROM ${quote(table)} ${where} ORDER BY ${quote(key)} LIMIT $1`;
    const result = await this.client.query<unknown[]>({ text, values: after === null ? [limit] : [limit, after], rowMode: 'array' });
    return result.rows.map((row) => row.map(toNeutral));
  }

  async write(table: string, columns: readonly string[], _key: string, rows: readonly CopyRow[]): Promise<void> {
    const kinds = await this.kindsOf(table);
    const columnKinds = columns.map((column) => kinds.get(column) ?? 'other');
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    for (let start = 0; start < rows.length; start += perStatement) {
      const chunk = rows.slice(start, start + perStatement);
      const values: unknown[] = [];
      const tuples = chunk.map((row) => {
        const marks = row.map((value, index) => {
          values.push(fromNeutral(value, columnKinds[index]!));
          return `$${values.length}`;
        });
        return `(${marks.join(', ')})`;
      });
      await this.client.query(
        `INSERT INTO ${quote(table)} (${columns.map(quote).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')} ON CONFLICT DO NOTHING`,
        values,
      );
    }
  }

  async idCounter(table: string): Promise<number> {
    return Math.max((await this.maxKey(table, 'id')) ?? 0, await this.sequenceValue(table));
  }

  async raiseIdCounter(table: string, value: number): Promise<void> {
    const sequence = await this.sequenceOf(table);
    // Rows written with their ids leave the identity's sequence where it was.
    if (sequence === null || value <= (await this.sequenceValue(table))) return;
    await this.client.query('SELECT setval($1::regclass, $2, true)', [sequence, value]);
  }

  /** The last value the identity's sequence handed out; 0 when none. */
  private async sequenceValue(table: string): Promise<number> {
    const sequence = await this.sequenceOf(table);
    if (sequence === null) return 0;
    const { rows } = await this.client.query<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM ${sequence}`);
    return rows[0]!.is_called ? rows[0]!.last_value : 0;
  }

  async snapshot(): Promise<void> {
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async close(): Promise<void> {
    await this.client.end();
  }

  /** The sequence behind the table's identity column `id`, or null. */
  private async sequenceOf(table: string): Promise<string | null> {
    return (await this.client.query<{ s: string | null }>("SELECT pg_get_serial_sequence($1, 'id') AS s", [quote(table)])).rows[0]!.s;
  }

  private async kindsOf(table: string): Promise<Map<string, Kind>> {
    let kinds = this.kinds.get(table);
    if (kinds === undefined) {
      const { rows } = await this.client.query<{ column_name: string; data_type: string }>(
        // A generated column (the search document) is computed by the target, never copied.
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
      );
      kinds = new Map(rows.map((row) => [row.column_name, kindOf(row.data_type)]));
      this.kinds.set(table, kinds);
    }
    return kinds;
  }
}
