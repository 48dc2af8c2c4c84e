/**
 * The verdict of a run: turns what the pairs observed into figures, and prints them as a
 * short human report followed by one line of JSON for scripts.
 */
import { firstLogLines, type BenchServer } from './server.js';
import type { EndReason, PairTraffic } from './traffic.js';
import type { BackendKind } from './backends.js';

/** The parameters of a run that the report repeats, so that figures carry their context. */
export interface RunShape {
  pairs: number;
  messages: number;
  window: number;
  instances: number;
  backend: BackendKind;
}

/** Nearest-rank percentile of ascending `sorted`; NaN when empty. */
function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

const round = (value: number, digits: number) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

/** Turns what the pairs observed into the figures of the report; `ok` only for a flawless run. */
export function summarize(shape: RunShape, pairs: readonly PairTraffic[], end: EndReason) {
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let firstSend = Number.POSITIVE_INFINITY;
  let lastDelivery = Number.NEGATIVE_INFINITY;
  for (const pair of pairs) {
    pair.finish();
    for (let index = 0; index < shape.messages; index++) {
      const sentAt = pair.sentAt[index]!;
      if (Number.isNaN(sentAt)) continue;
      firstSend = Math.min(firstSend, sentAt);
      for (const tab of pair.deliveredAt) {
        const deliveredAt = tab[index]!;
        if (Number.isNaN(deliveredAt)) continue;
        latencies.push(deliveredAt - sentAt);
        lastDelivery = Math.max(lastDelivery, deliveredAt);
      }
      if (!Number.isNaN(pair.echoedAt[index]!)) ackLatencies.push(pair.echoedAt[index]! - sentAt);
    }
  }
  const sum = (pick: (pair: PairTraffic) => number) => pairs.reduce((total, pair) => total + pick(pair), 0);
  const sorted = Float64Array.from(latencies).sort();
  const sortedAcks = Float64Array.from(ackLatencies).sort();
  const seconds = lastDelivery > firstSend ? (lastDelivery - firstSend) / 1000 : 0;
  const delivered = sum((pair) => pair.delivered);
  const expected = shape.pairs * shape.messages;
  const figures = {
    pairs: shape.pairs,
    messages: shape.messages,
    window: shape.window,
    instances: shape.instances,
    backend: shape.backend,
    delivered,
    seconds: round(seconds, 3),
    msgs_per_s: round(seconds > 0 ? delivered / seconds : Number.NaN, 1),
    p50_ms: round(percentile(sorted, 0.5), 1),
    p99_ms: round(percentile(sorted, 0.99), 1),
    lost: sum((pair) => pair.lost),
    duplicated: sum((pair) => pair.duplicated),
    out_of_order: sum((pair) => pair.outOfOrder),
    expected,
    unacknowledged: sum((pair) => pair.sent - pair.echoed),
    never_sent: expected - sum((pair) => pair.sent),
    ack_p50_ms: round(percentile(sortedAcks, 0.5), 1),
    ack_p99_ms: round(percentile(sortedAcks, 0.99), 1),
    echo_seq_errors: sum((pair) => pair.echoSeqErrors),
    misrouted: sum((pair) => pair.misrouted),
    server_errors: sum((pair) => pair.serverErrorCount),
    broken_pairs: sum((pair) => (pair.broken === null ? 0 : 1)),
    end,
  };
  const { lost, duplicated, out_of_order, unacknowledged, echo_seq_errors, misrouted, server_errors, broken_pairs } = figures;
  const faults = [lost, duplicated, out_of_order, unacknowledged, echo_seq_errors, misrouted, server_errors, broken_pairs];
  const ok = end === 'complete' && delivered === expected && faults.every((count) => count === 0);
  return { figures: { ...figures, ok }, ok };
}

/** `1 instance on sqlite`, `2 instances on postgres`: the set-up a figure was measured on. */
export function describeSetup(shape: Pick<RunShape, 'instances' | 'backend'>): string {
  return `${shape.instances} instance${shape.instances === 1 ? '' : 's'} on ${shape.backend}`;
}

/** Why instances that are no longer running stopped, one note each. */
export function exitNotes(servers: readonly BenchServer[]): string[] {
  return servers.flatMap((server) => {
    const exit = server.exitStatus();
    return exit === null ? [] : [`instance ${server.index} ${exit}`];
  });
}

/** Writes the human report and then the JSON line to stdout. */
/** The handshake storm's figures (see `storm.ts`), when the run had one. */
export interface StormReport {
  storm_sockets: number;
  storm_opened: number;
  storm_open_s: number;
  storm_close_s: number;
  echo_p99_quiet: { p99_ms: number | null; samples: number };
  echo_p99_storm: { p99_ms: number | null; samples: number };
  echo_p99_closing: { p99_ms: number | null; samples: number };
  server_eventloop_lag_max_quiet_ms: number | null;
  server_eventloop_lag_max_opening_ms: number | null;
  server_eventloop_lag_max_closing_ms: number | null;
  server_cpu_s_opening: number;
  server_cpu_s_closing: number;
}

export function printReport(
  figures: ReturnType<typeof summarize>['figures'],
  pairs: readonly PairTraffic[],
  servers: readonly BenchServer[],
  storm: StormReport | null = null,
): void {
  const ms = (value: number | null) => (value === null ? 'n/a' : `${value.toFixed(1)} ms`);
  const logCount = servers.reduce((total, server) => total + server.logLineCount(), 0);
  const lines = [
    `Tandem bench: ${figures.pairs} pairs × ${figures.messages} messages, window ${figures.window}, ${describeSetup(figures)} (ended: ${figures.end})`,
    `  delivered      ${figures.delivered} / ${figures.expected} messages to mentors`,
    `  send phase     ${figures.seconds ?? 0} s (first send → last delivery)`,
    `  throughput     ${figures.msgs_per_s ?? 'n/a'} delivered messages/s`,
    `  latency        p50 ${ms(figures.p50_ms)}, p99 ${ms(figures.p99_ms)} (send → partner)`,
    `  ack latency    p50 ${ms(figures.ack_p50_ms)}, p99 ${ms(figures.ack_p99_ms)} (send → own echo)`,
    `  lost ${figures.lost}, duplicated ${figures.duplicated}, out of order ${figures.out_of_order}`,
    `  unacknowledged ${figures.unacknowledged}, never sent ${figures.never_sent}, echo seq errors ${figures.echo_seq_errors}, misrouted ${figures.misrouted}`,
    `  server error frames ${figures.server_errors}, broken pairs ${figures.broken_pairs}, server log lines (warn+) ${logCount}`,
  ];
  if (storm) {
    const phase = (p: { p99_ms: number | null; samples: number }) => `${ms(p.p99_ms)} (${p.samples} messages)`;
    lines.push(
      `  storm          ${storm.storm_opened} / ${storm.storm_sockets} sockets opened in ${storm.storm_open_s} s, closed in ${storm.storm_close_s} s`,
      `  echo p99       before ${phase(storm.echo_p99_quiet)}, opening ${phase(storm.echo_p99_storm)}, closing ${phase(storm.echo_p99_closing)}`,
      `  event loop     server lag max before ${ms(storm.server_eventloop_lag_max_quiet_ms)}, opening ${ms(storm.server_eventloop_lag_max_opening_ms)}, closing ${ms(storm.server_eventloop_lag_max_closing_ms)}`,
      `  server CPU     ${storm.server_cpu_s_opening} s opening, ${storm.server_cpu_s_closing} s closing (the pairs' traffic included)`,
    );
  }
  for (const pair of pairs.filter((each) => each.broken !== null).slice(0, 5)) lines.push(`  ! pair ${pair.pairIndex}: ${pair.broken}`);
  for (const error of pairs.flatMap((pair) => pair.serverErrors).slice(0, 5)) lines.push(`  ! ${error}`);
  for (const line of firstLogLines(servers, 5)) lines.push(`  ! server log: ${line}`);
  for (const note of exitNotes(servers)) lines.push(`  ! ${note}`);
  lines.push(figures.ok ? 'RESULT: OK' : 'RESULT: FAILED');
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(storm ? { ...figures, ...storm } : figures)}\n`);
}
