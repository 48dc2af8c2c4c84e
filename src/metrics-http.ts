/** The HTTP side's metrics: requests, sign-in and password work, WebSocket handshakes, connection limits, webhooks. */
import { Counter, Gauge, Histogram } from 'prom-client';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from './protocol/webhooks.js';
import { labelledCounter, registry } from './metrics-registry.js';

const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

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
  'tandem_password_hashes_total',
  'scrypt derivations (each costs tens of milliseconds of the libuv pool), by purpose',
  'operation',
  PASSWORD_WORK,
);

/** How a WebSocket handshake ended: `throttled` ones were turned away (429) before anything was looked up. */
const HANDSHAKE_OUTCOMES = ['accepted', 'refused', 'throttled'] as const;
export type HandshakeOutcome = (typeof HANDSHAKE_OUTCOMES)[number];

const handshakes = labelledCounter('tandem_ws_handshakes_total', 'WebSocket handshakes by outcome', 'outcome', HANDSHAKE_OUTCOMES);

/** Which connection limit closed a new TCP connection. */
const CONNECTION_REFUSALS = ['total', 'per_address'] as const;
export type ConnectionRefusal = (typeof CONNECTION_REFUSALS)[number];

const connectionsRefused = labelledCounter(
  'tandem_http_connections_refused_total',
  'TCP connections closed on arrival because a connection limit was reached',
  'limit',
  CONNECTION_REFUSALS,
);

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
