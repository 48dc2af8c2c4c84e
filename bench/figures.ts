/**
 * Turns what the load clients observed (and the store showed) into a scenario's figures:
 * delivered messages per second, send→partner latency percentiles, and every kind of fault.
 */
import type { PairObservation } from './client.js';
import type { EndReason } from './traffic.js';
import type { StoreVerdict } from './verify.js';

/** Nearest-rank percentile of ascending `sorted`; null when empty. */
function percentile(sorted: Float64Array, fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}

const rounded = (value: number | null, digits = 1) => (value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));

/** Latency figures in milliseconds. */
export interface LatencyFigures {
  p50_ms: number | null;
  p95_ms: number | null;
  p99_ms: number | null;
  max_ms: number | null;
}

export function latencyFigures(latencies: Float64Array): LatencyFigures {
  const sorted = latencies.sort();
  return {
    p50_ms: rounded(percentile(sorted, 0.5)),
    p95_ms: rounded(percentile(sorted, 0.95)),
    p99_ms: rounded(percentile(sorted, 0.99)),
    max_ms: rounded(sorted.length === 0 ? null : sorted[sorted.length - 1]!),
  };
}

/** The traffic figures of one scenario; `ok` only when nothing was lost, doubled or reordered. */
export function trafficFigures(pairs: readonly PairObservation[], ends: readonly EndReason[], verdict: StoreVerdict | null) {
  let deliveries = 0;
  for (const pair of pairs) for (const tab of pair.deliveredAt) for (const at of tab) if (!Number.isNaN(at)) deliveries++;
  const latencies = new Float64Array(deliveries);
  const acks = new Float64Array(pairs.reduce((sum, pair) => sum + pair.echoed, 0));
  let firstSend = Number.POSITIVE_INFINITY;
  let lastDelivery = Number.NEGATIVE_INFINITY;
  let latencyAt = 0;
  let ackAt = 0;
  for (const pair of pairs) {
    for (let index = 0; index < pair.sent; index++) {
      const sentAt = pair.sentAt[index]!;
      firstSend = Math.min(firstSend, sentAt);
      if (!Number.isNaN(pair.echoedAt[index]!) && ackAt < acks.length) acks[ackAt++] = pair.echoedAt[index]! - sentAt;
      for (const tab of pair.deliveredAt) {
        const deliveredAt = tab[index]!;
        if (Number.isNaN(deliveredAt)) continue;
        latencies[latencyAt++] = deliveredAt - sentAt;
        lastDelivery = Math.max(lastDelivery, deliveredAt);
      }
    }
  }
  const sum = (pick: (pair: PairObservation) => number) => pairs.reduce((total, pair) => total + pick(pair), 0);
  const seconds = lastDelivery > firstSend ? (lastDelivery - firstSend) / 1000 : 0;
  const client = {
    lost: sum((pair) => pair.lost),
    duplicated: sum((pair) => pair.duplicated),
    out_of_order: sum((pair) => pair.outOfOrder),
  };
  // The store is the reference where there is one: each acknowledged message stored once, in
  // order, and delivered to every tab; the sockets' own view is added for what it alone sees.
  const lost = verdict ? verdict.acknowledgedNotStored + verdict.storedNotDelivered : client.lost;
  const duplicated = client.duplicated + (verdict?.storedTwice ?? 0);
  const outOfOrder = client.out_of_order + (verdict ? verdict.storedOutOfOrder + verdict.seqMismatch : 0);
  const other = {
    unacknowledged: sum((pair) => pair.sent - pair.echoed),
    echo_seq_errors: sum((pair) => pair.echoSeqErrors),
    misrouted: sum((pair) => pair.misrouted),
    server_errors: sum((pair) => pair.serverErrorCount),
    broken_pairs: sum((pair) => (pair.broken === null ? 0 : 1)),
  };
  const end = ends.find((reason) => reason !== 'complete') ?? 'complete';
  const ok = end === 'complete' && lost === 0 && duplicated === 0 && outOfOrder === 0 && Object.values(other).every((count) => count === 0);
  return {
    sent: sum((pair) => pair.sent),
    delivered: deliveries,
    seconds: rounded(seconds, 3),
    msgs_per_s: rounded(seconds > 0 ? deliveries / seconds : null),
    latency: latencyFigures(latencies.subarray(0, latencyAt)),
    ack_latency: latencyFigures(acks.subarray(0, ackAt)),
    lost,
    duplicated,
    out_of_order: outOfOrder,
    ...other,
    client_view: client,
    store: verdict,
    end,
    ok,
    notes: [
      ...pairs
        .filter((pair) => pair.broken !== null)
        .slice(0, 3)
        .map((pair) => `pair ${pair.pairIndex}: ${pair.broken}`),
      ...pairs.flatMap((pair) => pair.serverErrors).slice(0, 3),
    ],
  };
}

export type TrafficFigures = ReturnType<typeof trafficFigures>;
