/**
 * `npm run move-store`: one whole store copied into another, engine to engine, table by table
 * in the order and with the keys of TABLE_PLAN, in batches, keeping every id; then each
 * generated id continues after the copied ones, and every table's count is compared. A move
 * interrupted at any point can be run again with `resume`: each table continues after the
 * largest key already copied, and a row already there is left alone, so nothing is doubled.
 */
import type { CopySide } from './copy-side.js';
import { TABLE_PLAN, copiedTables, type CopiedTable } from './copy-tables.js';

/** A move that cannot start or did not end well; `message` says what to do. */
export class MoveError extends Error {
  /** `refused`: nothing was copied, the move cannot start so; `counts`: it copied, but the counts differ at the end. */
  constructor(
    message: string,
    readonly kind: 'refused' | 'counts' = 'refused',
  ) {
    super(message);
    this.name = 'MoveError';
  }
}

export interface MoveOptions {
  /** Continue a move into a target that already holds rows (an interrupted earlier run). */
  resume: boolean;
  /** Rows read and written at a time. */
  batchSize: number;
  /** Hears each batch: the table, the rows of it now in the target, and how many the source has. */
  onProgress?: (table: string, copied: number, total: number) => void;
}

/** Per copied table: the source's count (in its snapshot), the rows written by this run, and the target's count at the end. */
export interface MoveReport {
  tables: Array<{ name: string; source: number; written: number; target: number }>;
  /** Tables not copied, with why. */
  notCopied: Array<{ name: string; why: string }>;
}

/** Copies `from` into `to` (both migrated to the same schema); rejects with MoveError when the counts differ at the end. */
export async function moveStore(from: CopySide, to: CopySide, options: MoveOptions): Promise<MoveReport> {
  const copied = copiedTables();
  await checkTables(from, to);
  if (!options.resume) await refuseNonEmpty(to, copied);
  await from.snapshot();
  const report: MoveReport = {
    tables: [],
    notCopied: TABLE_PLAN.flatMap((table) => (table.copy === 'rows' ? [] : [{ name: table.name, why: `${table.copy}: ${table.why}` }])),
  };
  for (const table of copied) {
    const source = await from.count(table.name);
    const written = await copyTable(from, to, table, source, options);
    report.tables.push({ name: table.name, source, written, target: 0 });
  }
  for (const table of copied) if (table.generated) await to.raiseIdCounter(table.name, await from.idCounter(table.name));
  for (const row of report.tables) row.target = await to.count(row.name);
  const differing = report.tables.filter((row) => row.source !== row.target);
  if (differing.length > 0) {
    throw new MoveError(
      `the counts differ after the copy (${differing.map((row) => `${row.name}: ${row.source} in the source, ${row.target} in the target`).join('; ')}); ` +
        'was the source written to during the move, or the target used before it?',
      'counts',
    );
  }
  return report;
}

/** Every table of both schemas is in TABLE_PLAN, and each copied table has the same columns on both sides. */
async function checkTables(from: CopySide, to: CopySide): Promise<void> {
  const planned = new Set(TABLE_PLAN.map((table) => table.name));
  for (const side of [from, to]) {
    const unknown = (await side.tables()).filter((name) => !planned.has(name));
    if (unknown.length > 0) {
      throw new MoveError(`the ${side.engine} store has tables move-store does not know (${unknown.join(', ')}): add them to src/store/copy-tables.ts`);
    }
  }
  for (const table of copiedTables()) {
    const [a, b] = [await from.columns(table.name), await to.columns(table.name)];
    if (a.length === 0 || [...a].sort().join() !== [...b].sort().join()) {
      throw new MoveError(
        `${table.name} has columns (${a.join(', ')}) in the source and (${b.join(', ')}) in the target: are both at the same schema version?`,
      );
    }
  }
}

async function refuseNonEmpty(to: CopySide, tables: readonly CopiedTable[]): Promise<void> {
  for (const table of tables) {
    const rows = await to.count(table.name);
    if (rows > 0) {
      throw new MoveError(`the target is not empty (${table.name} has ${rows} rows): to continue an interrupted move into it, run again with --resume`);
    }
  }
}

/** Copies the table's rows after those already in the target; resolves with how many this run read and wrote. */
async function copyTable(from: CopySide, to: CopySide, table: CopiedTable, total: number, options: MoveOptions): Promise<number> {
  const columns = await from.columns(table.name);
  const keyIndex = columns.indexOf(table.key);
  if (keyIndex < 0) throw new MoveError(`${table.name} has no column ${table.key} to copy it in order of`);
  // A generated key is written in order, batch by batch: the largest one in the target is where an interrupted run stopped.
  // Text keys are read again from the first; the rows already there are left alone.
  let after: unknown = table.generated ? await to.maxKey(table.name, table.key) : null;
  const already = table.generated ? await to.count(table.name) : 0;
  let written = 0;
  for (;;) {
    const rows = await from.read(table.name, columns, table.key, after, options.batchSize);
    if (rows.length === 0) break;
    await to.write(table.name, columns, table.key, rows);
    written += rows.length;
    after = rows.at(-1)![keyIndex];
    options.onProgress?.(table.name, already + written, total);
    if (rows.length < options.batchSize) break;
  }
  return written;
}
