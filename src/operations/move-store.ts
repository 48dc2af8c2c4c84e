/**
 * `npm run move-store -- <from DATABASE_URL> <to DATABASE_URL> [--resume] [--batch N]`: the
 * whole store copied into another (see store/move.ts), SQLite to PostgreSQL or back. Both are
 * migrated to this version's schema first. Progress on stderr, the report on stdout. Exits 0
 * when every table's count matches, 1 when they differ, 2 when it could not run or stopped (a
 * bad argument, a target that is not empty without --resume, a database that failed).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDatabaseUrl } from '../config-values.js';
import type { DatabaseConfig } from '../config.js';
import { openCopySide, openStore } from '../store/index.js';
import { MoveError, moveStore, type MoveReport } from '../store/move.js';

const USAGE = 'usage: npm run move-store -- <from DATABASE_URL> <to DATABASE_URL> [--resume] [--batch N]\n';
const DEFAULT_BATCH = 1000;

class UsageError extends Error {}

interface Arguments {
  from: DatabaseConfig;
  to: DatabaseConfig;
  resume: boolean;
  batchSize: number;
}

function parseArguments(args: string[]): Arguments {
  const urls: string[] = [];
  let resume = false;
  let batchSize = DEFAULT_BATCH;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--resume') resume = true;
    else if (arg === '--batch') {
      batchSize = Number(args[++i]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new UsageError('--batch takes an integer from 1 to 100000');
    } else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else urls.push(arg);
  }
  if (urls.length !== 2) throw new UsageError('give the store to copy from and the store to copy to');
  const problems: string[] = [];
  const [from, to] = urls.map((url) => parseDatabaseUrl(url, 1, problems)) as [DatabaseConfig, DatabaseConfig];
  if (problems.length > 0) throw new UsageError(problems.join('; ').replaceAll('DATABASE_URL', 'a store'));
  if (from.kind === 'sqlite' && !existsSync(from.path)) throw new UsageError(`there is no database at ${from.path}`);
  if (sameStore(from, to)) throw new UsageError('the two stores are the same');
  return { from, to, resume, batchSize };
}

function sameStore(a: DatabaseConfig, b: DatabaseConfig): boolean {
  if (a.kind === 'sqlite' && b.kind === 'sqlite') return resolve(a.path) === resolve(b.path);
  return a.kind === 'postgres' && b.kind === 'postgres' && a.url === b.url;
}

/** Opens the store once through openStore, which migrates it to this version's schema. */
async function migrated(config: DatabaseConfig): Promise<void> {
  const store = await openStore(config, { timeoutMs: 60_000 });
  try {
    await store.ping();
  } finally {
    await store.close();
  }
}

function printReport(report: MoveReport, seconds: number): void {
  const lines = report.tables.map(
    (row) => `  ${row.name.padEnd(20)} ${String(row.target).padStart(10)} rows (source ${row.source}; written by this run ${row.written})`,
  );
  const skipped = report.notCopied.map((row) => `  ${row.name.padEnd(20)} not copied — ${row.why}`);
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`copied, counts checked, in ${seconds.toFixed(1)} s (peak RSS ${rss} MiB):\n${[...lines, ...skipped].join('\n')}\n`);
}

async function main(): Promise<number> {
  const args = parseArguments(process.argv.slice(2));
  await migrated(args.from);
  await migrated(args.to);
  const from = await openCopySide(args.from);
  const to = await openCopySide(args.to);
  const started = Date.now();
  let lastLine = 0;
  try {
    const report = await moveStore(from, to, {
      resume: args.resume,
      batchSize: args.batchSize,
      onProgress: (table, copied, total) => {
        // At most a line a second per table, and the last one.
        if (copied < total && Date.now() - lastLine < 1000) return;
        lastLine = Date.now();
        process.stderr.write(`${table}: ${copied} of ${total}\n`);
      },
    });
    printReport(report, (Date.now() - started) / 1000);
    return 0;
  } finally {
    await from.close();
    await to.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) process.stderr.write(`${message}\n${USAGE}`);
    else process.stderr.write(`move-store failed: ${message}\n`);
    process.exit(error instanceof MoveError && error.kind === 'counts' ? 1 : 2);
  },
);
