/** The chat path's metrics: open connections, messages delivered, gaps, refused frames, fan-out latency, layer reconnects. */
import { Counter, Gauge, Histogram } from 'prom-client';
import { ErrorText } from './protocol/frames.js';
import { labelledCounter, registry } from './metrics-registry.js';

const FANOUT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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

/**
 * How a message reached a connection: live from the channel layer; read back from the store
 * (gap fill, resume, catch-up after a layer reconnect); or read back because the periodic
 * delivery check found the room behind the store, i.e. the layer lost a room's last events.
 */
const DELIVERY_PATHS = ['live', 'store', 'check'] as const;
export type DeliveryPath = (typeof DELIVERY_PATHS)[number];

const messagesDelivered = labelledCounter(
  'tandem_messages_delivered_total',
  'chat_message frames handed to client connections, by path',
  'path',
  DELIVERY_PATHS,
);

const gapsUnfilled = new Counter({
  name: 'tandem_message_gaps_unfilled_total',
  help: 'Connections closed (4009, resume) because the store lacked a message they needed: a seq gap it could not fill, read twice',
  registers: [registry],
});

/** Why an inbound WebSocket frame was refused; `other` for a refusal this table does not know. */
export type FrameRejectReason =
  | 'invalid_json'
  | 'not_object'
  | 'unknown_type'
  | 'empty_content'
  | 'too_long'
  | 'content_not_string'
  | 'bad_characters'
  | 'bad_client_id'
  | 'bad_typing'
  | 'bad_attachments'
  | 'attachment_unavailable'
  | 'binary'
  | 'too_large'
  | 'rate_limited'
  | 'not_matched'
  | 'match_paused'
  | 'change_refused'
  | 'unavailable'
  | 'internal'
  | 'other';

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
  [ErrorText.badAttachments, 'bad_attachments'],
  [ErrorText.attachmentUnavailable, 'attachment_unavailable'],
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

const fanoutLatency = new Histogram({
  name: 'tandem_fanout_latency_seconds',
  help: "From a message being stored to its fan-out to this instance's connections in the room",
  buckets: FANOUT_BUCKETS,
  registers: [registry],
});

const layerReconnects = new Counter({
  name: 'tandem_layer_reconnects_total',
  help: 'Times the channel layer reconnected (events in between may have been lost and were caught up from the store)',
  registers: [registry],
});

// The reasons are known from the error texts; each starts at 0 like the labelled counters'.
for (const reason of new Set(REASON_BY_TEXT.values())) framesRejected.inc({ reason }, 0);
framesRejected.inc({ reason: 'too_large' }, 0);

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
