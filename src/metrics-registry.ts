/**
 * The one Prometheus registry of the process, and the helper the metric files build their
 * labelled counters with. `GET /metrics` serves `metricsText()`.
 */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
// CPU, memory, event-loop delay, GC and handles, under their standard names.
collectDefaultMetrics({ register: registry });

/**
 * A counter with one label whose every value is known: each starts at 0, so that a rate()
 * over it works from its first event. The values are the label's type (see the uses).
 */
export function labelledCounter<Value extends string>(
  name: string,
  help: string,
  label: string,
  values: readonly Value[],
): Record<Value, { inc(by?: number): void }> {
  const counter = new Counter({ name, help, labelNames: [label], registers: [registry] });
  // One child per value, made once: counting is then a field read and an add, on the hot path too.
  const children = Object.fromEntries(values.map((value) => [value, counter.labels(value)])) as Record<Value, { inc(by?: number): void }>;
  for (const value of values) children[value].inc(0);
  return children;
}

/** The content type of `metricsText()`. */
export const metricsContentType = registry.contentType;

/** Every metric in the Prometheus text exposition format. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}
