/** The settings of the chat socket, safeguarding and webhooks (see config-table.ts). */
import { CONVERSATION_POLICIES, type Setting } from './config-types.js';

const CHAT = 'Chat socket';
const SAFEGUARDING = 'Safeguarding';
const WEBHOOKS = 'Webhooks';

export const CHAT_SETTINGS = [
  { name: 'WS_MAX_FRAME_BYTES', type: 'integer', unit: 'bytes', area: CHAT, default: String(64 * 1024), min: 1024, max: 16 * 1024 * 1024,
    meaning: 'largest inbound WebSocket frame; larger closes with 1009' },
  { name: 'WS_RATE_PER_SECOND', type: 'integer', area: CHAT, default: '30', min: 1, max: 1_000_000, meaning: 'inbound frames per connection per second, sustained (a token bucket\'s refill)' },
  { name: 'WS_RATE_BURST', type: 'integer', area: CHAT, default: '60', min: 1, max: 1_000_000, meaning: 'inbound frames a connection may send in a burst (the bucket\'s size)' },
  { name: 'WS_FLOOD_CLOSE_AFTER', type: 'integer', area: CHAT, default: '100', min: 1, max: 1_000_000, meaning: 'rate-limited frames in a row after which the connection closes with 1008' },
  { name: 'WS_USER_RATE_PER_SECOND', type: 'integer', area: CHAT, default: '60', min: 1, max: 1_000_000,
    meaning: 'inbound frames per second of one user across all their sockets on one instance, on top of the per-connection rate' },
  { name: 'WS_USER_RATE_BURST', type: 'integer', area: CHAT, default: '120', min: 1, max: 1_000_000, meaning: 'the burst of that per-user rate' },
  { name: 'WS_MAX_CONNECTIONS_PER_USER', type: 'integer', area: CHAT, default: '50', min: 1, max: 1_000_000,
    meaning: 'chat sockets one user may have open on one instance; the next is accepted and closed with 4029' },
  { name: 'WS_MAX_BUFFERED_BYTES', type: 'integer', unit: 'bytes', area: CHAT, default: String(1024 * 1024), min: 64 * 1024, max: 1024 * 1024 * 1024,
    meaning: 'unsent bytes a connection may queue before it is closed with 1013' },
  { name: 'WS_SLOW_CLOSE_GRACE_MS', type: 'integer', unit: 'ms', area: CHAT, default: '2000', min: 0, max: 3_600_000,
    meaning: 'how long a connection closed with 1013 may take to read its close frame before it is cut off' },
  { name: 'WS_PING_INTERVAL_MS', type: 'integer', unit: 'ms', area: CHAT, default: '25000', min: 100, max: 3_600_000,
    meaning: 'ping period; a peer silent for a whole period is dropped (keep it under the idle timeout of proxies in front)' },
  { name: 'WS_READS_PER_TURN', type: 'integer', area: CHAT, default: '32', min: 1, max: 1_000_000,
    meaning: 'socket reads (and sockets pinged) one instance handles per event-loop turn, so a storm of closes or pongs cannot take one turn; tuning: the tests set 1 to reach the put-off path' },
  { name: 'TYPING_TIMEOUT_MS', type: 'integer', unit: 'ms', area: CHAT, default: '10000', min: 100, max: 600_000,
    meaning: 'a partner\'s `is_typing: true` ends by itself after this long without renewal' },
  { name: 'MARK_READ_RATE_PER_SECOND', type: 'integer', area: CHAT, default: '2', min: 1, max: 1_000_000,
    meaning: '`POST /api/chat/{partner}/read` requests per second of one user on one instance; past the burst, 429 `rate_limited`' },
  { name: 'MARK_READ_RATE_BURST', type: 'integer', area: CHAT, default: '10', min: 1, max: 1_000_000, meaning: 'the burst of one user\'s mark-read requests on one instance' },
  { name: 'DELIVERY_CHECK_INTERVAL_MS', type: 'integer', unit: 'ms', area: CHAT, default: '1000', min: 0, max: 3_600_000,
    meaning: 'how often each instance checks its rooms against the store\'s last `seq` and delivers what the channel layer lost; `0`: never (and no bound on delivery after an instance dies)' },

  { name: 'CONVERSATION_POLICY', type: 'enum', area: SAFEGUARDING, default: 'private', values: CONVERSATION_POLICIES,
    meaning: 'what admins may see of conversations, and whether messages are filtered (`moderated`)' },
  { name: 'MODERATION_WORDS_FILE', type: 'string', area: SAFEGUARDING, default: null, unset: 'no words', allowed: 'a readable file, one word or phrase a line (`#` starts a comment)',
    meaning: 'under `moderated`, words and phrases to hold besides Tandem\'s safeguarding list; read once at start' },
  { name: 'MODERATION_PHONE_COUNTRIES', type: 'list', area: SAFEGUARDING, default: 'GB,US,IN,DE', allowed: 'comma-separated ISO 3166 country codes',
    meaning: 'countries whose national phone formats the filter recognises (`+…`/`00…` numbers are recognised whatever the list)' },
  { name: 'RETENTION_DAYS', type: 'integer', unit: 'days', area: SAFEGUARDING, default: null, unset: 'keep everything', min: 1, max: 999_999,
    meaning: 'messages (held ones and finished webhook events too) older than this are deleted, at start and hourly' },

  { name: 'WEBHOOK_URL', type: 'url', area: WEBHOOKS, default: null, unset: 'no webhooks', meaning: 'where events are POSTed' },
  { name: 'WEBHOOK_SECRET', type: 'secret', area: WEBHOOKS, default: null, allowed: '`whsec_` and the base64 of 24 to 64 random bytes',
    meaning: 'the Standard Webhooks signing secret (`echo whsec_$(openssl rand -base64 32)`); needed with `WEBHOOK_URL`' },
  { name: 'WEBHOOK_TIMEOUT_MS', type: 'integer', unit: 'ms', area: WEBHOOKS, default: '10000', min: 100, max: 600_000, meaning: 'an attempt not answered within this counts as failed' },
  { name: 'WEBHOOK_RETRY_HOURS', type: 'decimal', unit: 'hours', area: WEBHOOKS, default: '24', min: 0, max: 720,
    meaning: 'how long after an event (or its manual retry) failed attempts are retried; then it is `failed`' },
  { name: 'WEBHOOK_BACKOFF_BASE_MS', type: 'integer', unit: 'ms', area: WEBHOOKS, default: '1000', min: 1, max: 3_600_000,
    meaning: 'the wait before attempt n+1 is random up to min(max, base × 2ⁿ⁻¹) (full jitter); at most `WEBHOOK_BACKOFF_MAX_MS`' },
  { name: 'WEBHOOK_BACKOFF_MAX_MS', type: 'integer', unit: 'ms', area: WEBHOOKS, default: '3600000', min: 1, max: 24 * 3_600_000, meaning: 'the cap of that wait' },
  { name: 'WEBHOOK_POLL_INTERVAL_MS', type: 'integer', unit: 'ms', area: WEBHOOKS, default: '1000', min: 10, max: 600_000,
    meaning: 'how often each instance looks for due events when it last found none: the usual delay of an event' },
  { name: 'UNREAD_NOTIFY_AFTER_SECONDS', type: 'integer', unit: 'seconds', area: WEBHOOKS, default: '900', min: 1, max: 7 * 24 * 3600,
    meaning: 'how long a message stays unread before `message.unread`; at most one per recipient and conversation in that time' },
] as const satisfies readonly Setting[];
