/**
 * Where a matrix run's figures go: one JSON file per scenario under bench/results/, named
 * `<date>-<scenario>.json` and carrying the machine's description, and one table on stdout
 * with every Tandem figure also shown as a ratio of the durable ceiling's.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrafficFigures } from './figures.js';
import { DURABLE_CEILING, type MatrixOptions, type Scenario } from './scenarios.js';

/** What a scenario measured about a process, over its measured phase. */
export interface ProcessFigures {
  cpu_s: number | null;
  peak_rss_mb: number | null;
}

export interface ClientFigures {
  cpu_s: number;
  wall_s: number;
  /** Share of one core the client used: near 1, it may be what limits the figures. */
  core_share: number;
}

export interface ConnectionFigures {
  sockets: number;
  opened: number;
  handshakes_per_s: number | null;
  rss_before_mb: number | null;
  rss_after_mb: number | null;
  rss_per_connection_kb: number | null;
  /** Of which the JS heap (garbage included) and Buffers, from the instance's /metrics. */
  heap_used_per_connection_kb: number | null;
  external_per_connection_kb: number | null;
  failures: string[];
  ok: boolean;
}

/** With webhooks on: what the bench's receiver saw of the `message.created` events. */
export interface WebhookFigures {
  /** Distinct `webhook-id`s of message.created received. */
  message_events: number;
  /** Every request, other event types and repeats included. */
  requests: number;
  /** Messages in the store after the run: each must have had its event. */
  stored: number | null;
  /** From the end of the traffic to the last request at the receiver. */
  drained_after_traffic_s: number;
  ok: boolean;
}

/** One scenario's outcome: its figures, or why it could not run. */
export interface ScenarioResult {
  scenario: Scenario;
  servers: ProcessFigures[];
  clients: ClientFigures[];
  traffic?: TrafficFigures;
  connections?: ConnectionFigures;
  webhooks?: WebhookFigures;
  error?: string;
}

/** The machine and the code a run measured, written into every result. */
export function describeMachine(options: MatrixOptions): Record<string, unknown> {
  const cores = cpus();
  let commit: string | null = null;
  try {
    commit = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout: the figures still stand, without their commit.
  }
  return {
    cpu: cores[0]?.model ?? 'unknown',
    cores: cores.length,
    memory_gb: Number((totalmem() / 2 ** 30).toFixed(1)),
    os: `${platform()} ${release()}`,
    node: process.version,
    load_average_at_start: loadavg().map((value) => Number(value.toFixed(2))),
    commit,
    options,
  };
}

/** bench/results/ of the checkout, wherever the bench runs from. */
export const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));

/** Writes `result` to bench/results/<stamp>-<scenario>.json and returns the path. */
export function writeResult(stamp: string, machine: Record<string, unknown>, result: ScenarioResult): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${stamp}-${result.scenario.name}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ machine: { ...machine, load_average_at_end: loadavg().map((value) => Number(value.toFixed(2))) }, ...result }, null, 2)}\n`,
  );
  return path;
}

/** A load client above this share of a core may be what limits a scenario. */
const CLIENT_SATURATED = 0.9;

const cell = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? 'n/a' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (value: number | null | undefined, base: number | null | undefined) =>
  value == null || base == null || base === 0 ? 'n/a' : `${(value / base).toFixed(2)}×`;
const total = (values: Array<number | null>) => (values.some((value) => value === null) ? null : values.reduce<number>((sum, value) => sum + value!, 0));
const most = (values: Array<number | null>) => (values.some((value) => value === null) ? null : Math.max(...(values as number[])));

/** The one table of a run, traffic scenarios first, then the connections scenario. */
export function formatTable(results: readonly ScenarioResult[]): string {
  const ceiling = results.find((result) => result.scenario.name === DURABLE_CEILING)?.traffic;
  const header = [
    'scenario',
    'msg/s',
    '× ceil',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'p99 × ceil',
    'max ms',
    'server CPU s',
    'server peak MB',
    'client CPU s (core share)',
    'lost/dup/order',
  ];
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const result of results) {
    const clientCell = result.clients.map((client) => `${cell(client.cpu_s, 1)} (${cell(client.core_share, 2)})`).join(' + ') || 'n/a';
    const server = [cell(total(result.servers.map((each) => each.cpu_s)), 1), cell(most(result.servers.map((each) => each.peak_rss_mb)))];
    if (result.error) {
      rows.push([result.scenario.name, 'FAILED', '', '', '', '', '', '', '', '', '', '']);
      notes.push(`${result.scenario.name}: ${result.error.split('\n')[0]}`);
    } else if (result.traffic) {
      const t = result.traffic;
      rows.push([
        result.scenario.name,
        cell(t.msgs_per_s),
        ratio(t.msgs_per_s, ceiling?.msgs_per_s),
        cell(t.latency.p50_ms, 1),
        cell(t.latency.p95_ms, 1),
        cell(t.latency.p99_ms, 1),
        ratio(t.latency.p99_ms, ceiling?.latency.p99_ms),
        cell(t.latency.max_ms, 1),
        ...server,
        clientCell,
        `${t.lost}/${t.duplicated}/${t.out_of_order}${t.ok ? '' : ' FAIL'}`,
      ]);
      const w = result.webhooks;
      const cpu = total(result.servers.map((each) => each.cpu_s));
      if (w) {
        const perMessage = cpu === null || !w.stored ? 'n/a' : `${cell((cpu * 1e6) / w.stored)} µs`;
        notes.push(
          `${result.scenario.name}: webhooks: ${w.message_events} message.created events for ${w.stored ?? 'n/a'} stored messages (${w.requests} requests), the last ${w.drained_after_traffic_s} s after the traffic; server CPU (until the last event) per stored message ${perMessage}`,
        );
      }
      if (!t.ok)
        notes.push(
          `${result.scenario.name}: ended ${t.end}; unacknowledged ${t.unacknowledged}, echo seq errors ${t.echo_seq_errors}, misrouted ${t.misrouted}, server errors ${t.server_errors}, broken pairs ${t.broken_pairs}${t.notes.length ? `; ${t.notes.join('; ')}` : ''}`,
        );
    } else if (result.connections) {
      const c = result.connections;
      rows.push([result.scenario.name, '', '', '', '', '', '', '', ...server, clientCell, c.ok ? '' : 'FAIL']);
      notes.push(
        `${result.scenario.name}: ${c.opened} / ${c.sockets} idle sockets, ${cell(c.handshakes_per_s)} handshakes/s, RSS ${cell(c.rss_before_mb)} → ${cell(c.rss_after_mb)} MB, ${cell(c.rss_per_connection_kb, 1)} kB per connection (JS heap ${cell(c.heap_used_per_connection_kb, 1)} kB, Buffers ${cell(c.external_per_connection_kb, 1)} kB)${c.failures.length ? `; ${c.failures.join('; ')}` : ''}`,
      );
    }
  }
  const busy = results.filter((result) => result.clients.some((client) => client.core_share >= CLIENT_SATURATED));
  if (busy.length > 0)
    notes.push(
      `a load client used ≥ ${CLIENT_SATURATED * 100}% of a core in ${busy.map((result) => result.scenario.name).join(', ')}: those figures may be the client's; run again with more --clients`,
    );
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (row: readonly string[]) => row.map((text, column) => (column === 0 ? text.padEnd(widths[column]!) : text.padStart(widths[column]!))).join('  ');
  return [line(header), ...rows.map(line), ...notes.map((note) => `  ${note}`)].join('\n');
}
