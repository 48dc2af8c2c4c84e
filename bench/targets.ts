/**
 * The performance targets of this 2-core machine, judged on one run's results: each is met,
 * missed, or not measured (its scenarios did not run, or failed). Ratios are taken within the
 * run, so that a loaded machine moves both sides of each.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_DIR, type ScenarioResult } from './results.js';
import { DURABLE_CEILING } from './scenarios.js';

/** One target's verdict. */
export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean | null;
}

const MIN_SECONDS = 10;

export function judgeTargets(results: readonly ScenarioResult[]): TargetVerdict[] {
  const traffic = (name: string) => results.find((result) => result.scenario.name === name && !result.error)?.traffic;
  const ceiling = traffic(DURABLE_CEILING);
  const sqlite = traffic('sqlite');
  const twoInstances = traffic('two-instances');
  const connections = results.find((result) => result.scenario.name === 'connections' && !result.error);
  const verdicts: TargetVerdict[] = [];
  const judge = (target: string, values: Array<number | null | undefined>, measured: (values: number[]) => string, met: (values: number[]) => boolean) => {
    const known = values.every((value) => value !== null && value !== undefined);
    verdicts.push(known ? { target, measured: measured(values as number[]), met: met(values as number[]) } : { target, measured: 'not measured', met: null });
  };
  judge(
    "SQLite ≥ 0.90× the durable ceiling's msg/s",
    [sqlite?.msgs_per_s, ceiling?.msgs_per_s],
    ([own, base]) => `${(own! / base!).toFixed(2)}×`,
    ([own, base]) => own! >= 0.9 * base!,
  );
  judge(
    "SQLite p99 ≤ 1.5× the durable ceiling's",
    [sqlite?.latency.p99_ms, ceiling?.latency.p99_ms],
    ([own, base]) => `${(own! / base!).toFixed(2)}×`,
    ([own, base]) => own! <= 1.5 * base!,
  );
  judge(
    `runs of at least ${MIN_SECONDS} s`,
    [sqlite?.seconds, ceiling?.seconds],
    (seconds) => seconds.map((value) => `${value.toFixed(1)} s`).join(', '),
    (seconds) => seconds.every((value) => value >= MIN_SECONDS),
  );
  judge(
    'two instances (PostgreSQL + Redis) ≥ 0.5× SQLite',
    [twoInstances?.msgs_per_s, sqlite?.msgs_per_s],
    ([own, base]) => `${(own! / base!).toFixed(2)}×`,
    ([own, base]) => own! >= 0.5 * base!,
  );
  const c = connections?.connections;
  judge(
    '10 000 idle sockets in < 300 MB RSS',
    [c && c.sockets >= 10_000 && c.ok ? c.rss_after_mb : null],
    ([rss]) => `${rss!.toFixed(0)} MB`,
    ([rss]) => rss! < 300,
  );
  judge(
    '≥ 2 000 handshakes/s',
    [c?.handshakes_per_s],
    ([rate]) => `${rate}/s`,
    ([rate]) => rate! >= 2000,
  );
  const ran = results.filter((result) => result.traffic);
  judge(
    'nothing lost, duplicated or reordered',
    [ran.length > 0 ? ran.length : null],
    () => ran.map((result) => `${result.scenario.name} ${result.traffic!.lost}/${result.traffic!.duplicated}/${result.traffic!.out_of_order}`).join(', '),
    () => ran.every((result) => result.traffic!.lost + result.traffic!.duplicated + result.traffic!.out_of_order === 0),
  );
  const busy = results.flatMap((result) => result.clients.map((client) => client.core_share));
  judge(
    'no load client saturates its core (< 0.9)',
    [busy.length > 0 ? Math.max(...busy) : null],
    ([share]) => `highest ${share!.toFixed(2)}`,
    ([share]) => share! < 0.9,
  );
  return verdicts;
}

/** The verdicts as lines under the table. */
export function formatTargets(verdicts: readonly TargetVerdict[]): string {
  const mark = (met: boolean | null) => (met === null ? 'n/a   ' : met ? 'met   ' : 'MISSED');
  return ['targets:', ...verdicts.map((verdict) => `  ${mark(verdict.met)}  ${verdict.target}: ${verdict.measured}`)].join('\n');
}

/** Writes the run's verdicts to bench/results/<stamp>-targets.json and returns the path. */
export function writeTargets(stamp: string, machine: Record<string, unknown>, targets: readonly TargetVerdict[]): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${stamp}-targets.json`);
  writeFileSync(path, `${JSON.stringify({ machine, targets }, null, 2)}\n`);
  return path;
}
