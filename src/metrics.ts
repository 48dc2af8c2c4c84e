/**
 * Every Prometheus metric Tandem exports, in one registry per process, each behind a small
 * typed recording function so that callers never touch prom-client. Recording is cheap and
 * never throws. `GET /metrics` serves `metricsText()`.
 *
 * Process-wide on purpose: one process is one instance in production, and chat code records
 * without having a registry threaded through it. Tests that run several instances in one
 * process see their sum, so they assert on increases, never on absolute values.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isAppError } from './errors.js';
import { ErrorText } from './protocol/frames.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './protocol/webhooks.js';
import { wrapStore, type Store } from './store/index.js';

const registry = new Registry();
// CPU, memory, event-loop delay, GC and handles, under their standard names.
collectDefaultMetrics({ register: registry });

/** Seconds; from a fast SQLite read to a slow PostgreSQL commit under load. */
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const FANOUT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * A counter with one label whose every value is known: each starts at 0, so that a rate()
 * over it works from its first event. The values are the label's type (see the uses).
 */
function labelledCounter<Value extends string>(name: string, help: string, label: string, values: readonly Value[]): Record<Value, { inc(by?: number): void }> {
  const counter = new Counter({ name, help, labelNames: [label], registers: [registry] });
  // One child per value, made once: counting is then a field read and an add, on the hot path too.
  const children = Object.fromEntries(values.map((value) => [value, counter.labels(value)])) as Record<Value, { inc(by?: number): void }>;
  for (const value of values) children[value].inc(0);
  return children;
}

/** Sources of the open-connection count, one per Tandem instance in this process. */
const connectionSources = new Set<() => number>();

new Gauge({
  name: 'tandem_open_connections',
  help: 'Open chat WebSocket connections on this instance',
  registers: [registry],
  collect() {
    let total = 0;
    for (const count of connectionSources) total += count();
    this.set(total);
  },
});

const messagesStored = new Counter({
  name: 'tandem_messages_stored_total',
  help: 'Chat messages durably stored by this instance (idempotent retries excluded)',
  registers: [registry],
});

/**
 * How a message reached a connection: live from the channel layer; read back from the store
 * (gap fill, resume, catch-up after a layer reconnect); or read back because the periodic
 * delivery check found the room behind the store, i.e. the layer lost a room's last events.
 */
const DELIVERY_PATHS = ['live', 'store', 'check'] as const;
export type DeliveryPath = (typeof DELIVERY_PATHS)[number];

const messagesDelivered = labelledCounter('tandem_messages_delivered_total', 'chat_message frames handed to client connections, by path', 'path', DELIVERY_PATHS);

const gapsUnfilled = new Counter({
  name: 'tandem_message_gaps_unfilled_total',
  help: 'Connections closed (4009, resume) because the store lacked a message they needed: a seq gap it could not fill, read twice',
  registers: [registry],
});

/** Why an inbound WebSocket frame was refused; `other` for a refusal this table does not know. */
export type FrameRejectReason =
  | 'invalid_json' | 'not_object' | 'unknown_type' | 'empty_content' | 'too_long' | 'content_not_string'
  | 'bad_characters' | 'bad_client_id' | 'bad_typing' | 'binary' | 'too_large' | 'rate_limited'
  | 'not_matched' | 'match_paused' | 'unavailable' | 'internal' | 'other';

const REASON_BY_TEXT = new Map<string, FrameRejectReason>([
  [ErrorText.invalidJson, 'invalid_json'],
  [ErrorText.notObject, 'not_object'],
  [ErrorText.unknownType, 'unknown_type'],
  [ErrorText.emptyContent, 'empty_content'],
  [ErrorText.tooLong, 'too_long'],
  [ErrorText.contentNotString, 'content_not_string'],
  [ErrorText.badCharacters, 'bad_characters'],
  [ErrorText.badClientId, 'bad_client_id'],
  [ErrorText.badTyping, 'bad_typing'],
  [ErrorText.binaryFrame, 'binary'],
  [ErrorText.rateLimited, 'rate_limited'],
  [ErrorText.notMatched, 'not_matched'],
  [ErrorText.matchPaused, 'match_paused'],
  [ErrorText.unavailable, 'unavailable'],
  [ErrorText.internal, 'internal'],
]);

const framesRejected = new Counter({
  name: 'tandem_frames_rejected_total',
  help: 'Inbound WebSocket frames refused, by reason',
  labelNames: ['reason'] as const,
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

const fanoutLatency = new Histogram({
  name: 'tandem_fanout_latency_seconds',
  help: 'From a message being stored to its fan-out to this instance\'s connections in the room',
  buckets: FANOUT_BUCKETS,
  registers: [registry],
});

const layerReconnects = new Counter({
  name: 'tandem_layer_reconnects_total',
  help: 'Times the channel layer reconnected (events in between may have been lost and were caught up from the store)',
  registers: [registry],
});

const httpRequests = new Counter({
  name: 'tandem_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

const httpDuration = new Histogram({
  name: 'tandem_http_request_duration_seconds',
  help: 'HTTP request latency by method and route pattern',
  labelNames: ['method', 'route'] as const,
  buckets: HTTP_BUCKETS,
  registers: [registry],
});

/** What became of a login attempt: `throttled` attempts were refused before the password was checked. */
const LOGIN_OUTCOMES = ['success', 'failure', 'throttled'] as const;
export type LoginOutcome = (typeof LOGIN_OUTCOMES)[number];

const loginAttempts = labelledCounter('tandem_login_attempts_total', 'Login attempts by outcome', 'outcome', LOGIN_OUTCOMES);

/** What an scrypt derivation was for: `hash` a new password, `verify` a login (the timing equaliser included). */
const PASSWORD_WORK = ['hash', 'verify'] as const;
export type PasswordWork = (typeof PASSWORD_WORK)[number];

const passwordHashes = labelledCounter(
  'tandem_password_hashes_total', 'scrypt derivations (each costs tens of milliseconds of the libuv pool), by purpose', 'operation', PASSWORD_WORK);

/** How a WebSocket handshake ended: `throttled` ones were turned away (429) before anything was looked up. */
const HANDSHAKE_OUTCOMES = ['accepted', 'refused', 'throttled'] as const;
export type HandshakeOutcome = (typeof HANDSHAKE_OUTCOMES)[number];

const handshakes = labelledCounter('tandem_ws_handshakes_total', 'WebSocket handshakes by outcome', 'outcome', HANDSHAKE_OUTCOMES);

/** Which connection limit closed a new TCP connection. */
const CONNECTION_REFUSALS = ['total', 'per_address'] as const;
export type ConnectionRefusal = (typeof CONNECTION_REFUSALS)[number];

const connectionsRefused = labelledCounter(
  'tandem_http_connections_refused_total', 'TCP connections closed on arrival because a connection limit was reached', 'limit', CONNECTION_REFUSALS);

/**
 * What one webhook attempt came to: `delivered` (2xx), `retried` (it failed and is due
 * again later), `failed` (it failed past WEBHOOK_RETRY_HOURS), `cancelled` (nothing was
 * owed any more: a reminder whose messages were read).
 */
const WEBHOOK_OUTCOMES = ['delivered', 'retried', 'failed', 'cancelled'] as const;
export type WebhookOutcome = (typeof WEBHOOK_OUTCOMES)[number];

const webhooks = new Counter({
  name: 'tandem_webhooks_total',
  help: 'Webhook attempts sent (or events cancelled) by this instance, by event type and outcome',
  labelNames: ['type', 'outcome'] as const,
  registers: [registry],
});
for (const type of WEBHOOK_EVENT_TYPES) for (const outcome of WEBHOOK_OUTCOMES) webhooks.inc({ type, outcome }, 0);

const webhooksPending = new Gauge({
  name: 'tandem_webhooks_pending',
  help: 'Webhook events not yet delivered, failed or cancelled (all instances share the outbox), as of the last look',
  registers: [registry],
});

const webhooksOldestPending = new Gauge({
  name: 'tandem_webhooks_oldest_pending_age_seconds',
  help: 'Age of the oldest pending webhook event as of the last look; 0 when none is pending. Growing: the receiver is down or too slow',
  registers: [registry],
});

// The reasons are known from the error texts; each starts at 0 like the labelled counters'.
for (const reason of new Set(REASON_BY_TEXT.values())) framesRejected.inc({ reason }, 0);
framesRejected.inc({ reason: 'too_large' }, 0);

/** The content type of `metricsText()`. */
export const metricsContentType = registry.contentType;

/** Every metric in the Prometheus text exposition format. */
export function metricsText(): Promise<string> {
  return registry.metrics();
}

/**
 * Adds a source of the open-connection count (read at each scrape, so it never drifts);
 * returns the function that removes it, for when the instance closes.
 */
export function trackOpenConnections(count: () => number): () => void {
  connectionSources.add(count);
  return () => connectionSources.delete(count);
}

/** Counts `count` chat_message frames handed to client connections. */
export function recordMessagesDelivered(path: DeliveryPath, count = 1): void {
  messagesDelivered[path].inc(count);
}

/** Counts one connection given up on because the store could not fill a gap in its `seq`. */
export function recordGapUnfilled(): void {
  gapsUnfilled.inc();
}

/** Counts one refused inbound frame. */
export function recordFrameRejected(reason: FrameRejectReason): void {
  framesRejected.inc({ reason });
}

/** The reason label of a refusal, from the error text the client is sent (`ErrorText`). */
export function frameRejectReason(errorText: string): FrameRejectReason {
  return REASON_BY_TEXT.get(errorText) ?? 'other';
}

/**
 * Observes the store→fan-out latency of one message: from `storedAt` (the message's
 * timestamp: a Date, ISO string or epoch milliseconds) to `now`. Clock skew between
 * instances never yields a negative observation.
 */
export function observeFanout(storedAt: Date | string | number, now = Date.now()): void {
  const at = storedAt instanceof Date ? storedAt.getTime() : typeof storedAt === 'string' ? Date.parse(storedAt) : storedAt;
  if (!Number.isFinite(at)) return;
  fanoutLatency.observe(Math.max(0, now - at) / 1000);
}

/** Counts one reconnect of the channel layer. */
export function recordLayerReconnect(): void {
  layerReconnects.inc();
}

/** Counts one HTTP request; `route` is the route pattern (bounded), never the raw URL. */
export function recordHttpRequest(method: string, route: string, status: number, seconds: number): void {
  httpRequests.inc({ method, route, status: String(status) });
  httpDuration.observe({ method, route }, seconds);
}

/** Counts one login attempt by outcome. */
export function recordLoginAttempt(outcome: LoginOutcome): void {
  loginAttempts[outcome].inc();
}

/** Counts one scrypt derivation. */
export function recordPasswordWork(operation: PasswordWork): void {
  passwordHashes[operation].inc();
}

/** Counts one WebSocket handshake by outcome. */
export function recordHandshake(outcome: HandshakeOutcome): void {
  handshakes[outcome].inc();
}

/** Counts one TCP connection closed on arrival by a connection limit. */
export function recordConnectionRefused(limit: ConnectionRefusal): void {
  connectionsRefused[limit].inc();
}

/** Counts one webhook attempt (or cancellation) of an event of `type`. */
export function recordWebhook(type: WebhookEventType, outcome: WebhookOutcome): void {
  webhooks.inc({ type, outcome });
}

/** Sets the outbox gauges: pending events, and the age of the oldest (null: none). */
export function setWebhookBacklog(pending: number, oldestCreatedAt: Date | null, now = Date.now()): void {
  webhooksPending.set(pending);
  webhooksOldestPending.set(oldestCreatedAt === null ? 0 : Math.max(0, now - oldestCreatedAt.getTime()) / 1000);
}

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
