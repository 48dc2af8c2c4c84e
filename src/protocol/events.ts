/**
 * Events carried by the channel layer between Tandem instances (never sent to clients as
 * they are). Small, typed, JSON-encoded once per publish.
 */
import type { MessageStatusOut, NoticeOut, WireMessage } from './frames.js';

export type RoomEvent =
  | { kind: 'chat_message'; message: WireMessage }
  | { kind: 'typing'; sender_email: string; is_typing: boolean }
  | { kind: 'read_receipt'; reader_email: string; count: number; last_read_id: string | null }
  | { kind: 'presence'; email: string; online: boolean }
  | { kind: 'force_disconnect'; reason: string }
  | { kind: 'notice'; notice: NoticeOut }
  /** For the sender's connections only: the partner's drop it unsent. */
  | { kind: 'message_status'; sender_email: string; status: MessageStatusOut };

export type BroadcastEvent = { kind: 'session_revoked'; token_hash: string; reason: string };

export type LayerEvent = RoomEvent | BroadcastEvent;
