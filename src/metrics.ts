/**
 * Every Prometheus metric Tandem exports (this file: the store's; the chat path's and the HTTP
 * side's in metrics-chat.ts and metrics-http.ts), in one registry per process, each behind a small
 * typed recording function so that callers never touch prom-client. Recording is cheap and
 * never throws. `GET /metrics` serves `metricsText()`.
 *
 * Process-wide on purpose: one process is one instance in production, and chat code records
 * without having a registry threaded through it. Tests that run several instances in one
 * process see their sum, so they assert on increases, never on absolute values.
 */
import { Counter, Histogram } from 'prom-client';
import { isAppError } from './errors.js';
import { wrapStore, type Store } from './store/index.js';
import { registry } from './metrics-registry.js';

export { metricsContentType, metricsText } from './metrics-registry.js';
export * from './metrics-chat.js';
export * from './metrics-http.js';
export * from './metrics-backup.js';

/** Seconds; from a fast SQLite read to a slow PostgreSQL commit under load. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const messagesStored = new Counter({
  name: 'tandem_messages_stored_total',
  help: 'Chat messages durably stored by this instance (idempotent retries excluded)',
  registers: [registry],
});

const storeDuration = new Histogram({
  name: 'tandem_store_duration_seconds',
  help: 'Store call latency by operation; messages.append includes waiting for its group commit',
  labelNames: ['operation'] as const,
  buckets: STORE_BUCKETS,
  registers: [registry],
});

const storeErrors = new Counter({
  name: 'tandem_store_errors_total',
  help: 'Store calls that failed for a reason other than a refusal meant for the client, by operation',
  labelNames: ['operation'] as const,
  registers: [registry],
});

/**
 * The same store, timing every call into `tandem_store_duration_seconds` and counting
 * created messages into `tandem_messages_stored_total`. Refusals meant for the client
 * (AppErrors such as `not_matched`) are not store errors; `unavailable` (the engine could
 * not reach its database) is. Every call runs on `store` itself, so the engine is
 * unchanged (see `wrapStore`); `close` is not timed.
 */
export function instrumentStore(store: Store): Store {
  // One child per operation, looked up once: the label is not hashed again on every call.
  const durations = new Map<string, { observe(seconds: number): void }>();
  const durationOf = (operation: string) => {
    let child = durations.get(operation);
    if (!child) durations.set(operation, (child = storeDuration.labels({ operation })));
    return child;
  };
  return wrapStore(store, (operation, call) => {
    const started = performance.now();
    const duration = durationOf(operation);
    const stop = () => duration.observe((performance.now() - started) / 1000);
    const result = call();
    if (!(result instanceof Promise)) {
      stop();
      return result;
    }
    return result.then(
      (value: unknown) => {
        stop();
        if (operation === 'messages.append' && (value as { created?: boolean }).created) messagesStored.inc();
        return value;
      },
      (error: unknown) => {
        stop();
        if (!isAppError(error) || error.code === 'unavailable') storeErrors.inc({ operation });
        throw error;
      },
    );
  });
}
