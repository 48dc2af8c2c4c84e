/** What a `Conversation` holds, emits and needs, as the pages and the tests see it. */
import type { WireMessage } from '../protocol/frames.js';
import type { KnownConversation, PublicUser, TandemApi, UndeliveredMessage } from './api.js';
import type { ChatConnectionOptions, ConnectionState } from './connection.js';
import type { KeyValueStorage, PendingMessage } from './outbox.js';
import type { WebSocketFactory } from './socket.js';

/**
 * A stored message. `is_read`: for one's own, the partner read it; for the partner's, this user
 * did. A notice that an admin viewed the conversation has `kind: "admin_viewed"` and `actor_name`.
 */
export interface ChatMessage extends WireMessage {
  mine: boolean;
  is_read: boolean;
  kind?: 'admin_viewed';
  actor_name?: string;
  /** This user reported it (history says so to the reporter alone). */
  reported?: true;
}

/** What a partner list shows of a conversation. */
export interface ConversationSummary {
  partner: PublicUser;
  lastMessage: WireMessage | null;
  unread: number;
  /** null: the server does not report presence. */
  online: boolean | null;
  typing: boolean;
  /** Why the conversation ended (`unmatched`, `forbidden`, …); null while it lives. */
  ended: string | null;
  /** An admin paused the match: readable, nothing can be sent until it is resumed. */
  paused: boolean;
  /** The match ended before this page loaded it: the history is readable, read-only. */
  archived: boolean;
}

/** The events of a `Conversation`, by name, with their payloads. */
export interface ConversationEvents extends Record<string, unknown> {
  /** Newer messages, in order, at the end. */
  appended: ChatMessage[];
  /** An older page, in order, at the start. */
  prepended: ChatMessage[];
  /** The order changed in a way appending cannot express: show `messages` afresh. */
  reset: undefined;
  /** Read flags of some messages changed. */
  read: undefined;
  /** A message was edited, deleted or reacted to (PROTOCOL.md Part 8): show it afresh. */
  changed: ChatMessage;
  pending: readonly PendingMessage[];
  typing: boolean;
  state: ConnectionState;
  /** Anything a partner list shows changed. */
  summary: ConversationSummary;
  /** The user's own held or rejected messages changed (see `Conversation.undelivered`). */
  undelivered: readonly UndeliveredMessage[];
}

/** What a `Conversation` needs: who talks to whom, and how to reach the server. */
export interface ConversationOptions {
  api: TandemApi;
  me: PublicUser;
  partner: PublicUser;
  wsBase: string;
  createSocket: WebSocketFactory;
  /** Where the outbox is kept across reloads (`localStorage`); null keeps it in memory. */
  storage?: KeyValueStorage | null;
  /** The conversations endpoint's row, when the server has it. */
  row?: KnownConversation;
  pageSize?: number;
  connection?: Pick<ChatConnectionOptions, 'backoff' | 'ackTimeoutMs' | 'random' | 'getToken'>;
}
