/**
 * Tandem's typed client, for browsers and Node: `TandemClient` (a signed-in user and their
 * conversations), `Conversation` (one partner's chat state), `ChatConnection` (the socket,
 * with reconnect, resume and idempotent resend) and `TandemApi` (the HTTP API).
 */
export {
  ApiError,
  TandemApi,
  type AdminCounts,
  type AuditEntryView,
  type ConversationRow,
  type MeResponse,
  type DirectoryEntry,
  type DirectoryPage,
  type HeldView,
  type HistoryMessage,
  type HistoryPage,
  type NewUserFields,
  type PublicMatch,
  type PublicUser,
  type ReportView,
  type SearchHit,
  type SearchPage,
  type UndeliveredMessage,
  type WireAttachment,
  type WordListView,
} from './api.js';
export { backoffDelay, DEFAULT_BACKOFF, RESTART_DELAY, restartDelay, type BackoffOptions } from './backoff.js';
export { TandemClient, type TandemClientEvents, type TandemClientOptions } from './client.js';
export {
  ChatConnection,
  type ChangeSent,
  type ChatConnectionEvents,
  type ChatConnectionOptions,
  type ConnectionState,
  type ReadReceipt,
} from './connection.js';
export { Conversation, type ChatMessage, type ConversationEvents, type ConversationOptions, type ConversationSummary } from './conversation.js';
export { Emitter, type Off } from './emitter.js';
export { compareMessageIds, maxMessageId } from './message-ids.js';
export { newClientId, Outbox, validateContent, type KeyValueStorage, type PendingMessage, type SendOptions } from './outbox.js';
export { chatSocketUrl, wsBaseOf, type TokenSource, type WebSocketFactory, type WebSocketLike } from './socket.js';
export { UserEventStream, type UserEventStreamEvents, type UserEventStreamOptions } from './user-events.js';
export {
  announce,
  announcements,
  programmeActivity,
  programmeCsvUrl,
  programmePairs,
  type ActivityWeek,
  type AnnouncementAudience,
  type AnnouncementEntry,
  type PairHealthEntry,
  type PairHealthPage,
  type PairQuery,
  type PairSort,
} from './programme-api.js';
