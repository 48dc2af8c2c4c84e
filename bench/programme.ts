/**
 * What the programme view costs at scale: `npm run bench:programme -- [--pairs N]
 * [--messages M]` (default 10 000 pairs, 5 000 000 messages) writes a SQLite store through
 * the schema's triggers (so the pair counts are kept exactly as the chat keeps them: every
 * message answers the one before it, the worst case for the answers table), then times, five
 * times each, what the coordinators' page asks: the first page of the pair table at-risk
 * first, the at-risk filter, the quietest first, the whole table for the CSV, and 12 weeks of
 * activity. Prints the median and the slowest of each.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pairsCsv } from '../src/programme/csv.js';
import { healthTable, type HealthQuery } from '../src/programme/health-table.js';
import { dayOf, mondayOf } from '../src/programme/weeks.js';
import { openStore } from '../src/store/index.js';
import { makeStore } from './make-store.js';

const ROUNDS = 5;

const { values } = parseArgs({ options: { pairs: { type: 'string', default: '10000' }, messages: { type: 'string', default: '5000000' } } });
const pairs = Number(values.pairs);
const messages = Number(values.messages);
const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-programme-'));
try {
  const path = join(dir, 'tandem.db');
  let started = performance.now();
  await makeStore(path, messages, pairs);
  console.log(
    `${pairs} pairs, ${messages} messages written through the triggers in ${((performance.now() - started) / 1000).toFixed(0)} s (${(statSync(path).size / 1e9).toFixed(2)} GB)`,
  );
  const store = await openStore({ kind: 'sqlite', path }, { timeoutMs: 60_000 });
  const now = new Date();
  const base: HealthQuery = { sort: 'risk', atRiskOnly: false, search: '', offset: 0, limit: 50, rules: { silentDays: 14, unansweredHours: 72 }, now };
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['pair table, first page, at-risk first', () => healthTable(store, base)],
    ['pair table, at-risk only', () => healthTable(store, { ...base, atRiskOnly: true })],
    ['pair table, quietest first', () => healthTable(store, { ...base, sort: 'quiet' })],
    ['the whole table as CSV', async () => pairsCsv((await healthTable(store, { ...base, limit: null })).rows)],
    ['activity, 12 weeks', () => store.programme.weeks(mondayOf(dayOf(now)) - 11 * 7)],
  ];
  for (const [name, run] of cases) {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(`${name}: median ${times[ROUNDS >> 1]!.toFixed(0)} ms, slowest ${times.at(-1)!.toFixed(0)} ms`);
  }
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
