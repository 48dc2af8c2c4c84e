/**
 * Events carried by the channel layer between Tandem instances (never sent to clients as
 * they are). Small, typed, JSON-encoded once per publish. Who an event is from or for is
 * said by user id (`sender_id`, `reader_id`, `user_id`): a connection decides whether it is
 * for itself by its user's id, never by comparing emails. A pair's room carries RoomEvents;
 * a user's own channel (their event streams, `/ws/me/`) carries UserEvents.
 */
import type { ChangeOut, MessageStatusOut, NoticeOut, WireMessage } from './frames.js';
import type { AnnouncementAudience, AnnouncementOut } from './announcements.js';
import type { AdminTopic, UserStreamFrame } from './user-stream.js';

export type RoomEvent =
  | { kind: 'chat_message'; message: WireMessage }
  | { kind: 'typing'; sender_id: number; sender_email: string; is_typing: boolean }
  | { kind: 'read_receipt'; reader_id: number; reader_email: string; count: number; last_read_id: string | null }
  /** For the reader's other connections to the pair; `origin` is the connection that read (null over HTTP). */
  | { kind: 'read_state'; reader_id: number; partner_email: string; last_read_id: string | null; origin: string | null }
  | { kind: 'presence'; user_id: number; email: string; online: boolean }
  | { kind: 'match_state'; state: 'paused' | 'active' }
  | { kind: 'force_disconnect'; reason: string }
  | { kind: 'notice'; notice: NoticeOut }
  /** Part 8: an edit, deletion or reaction, in the pair's timeline by its `seq`. */
  | { kind: 'change'; change: ChangeOut }
  /** For the sender's connections only: the partner's drop it unsent. */
  | { kind: 'message_status'; sender_id: number; status: MessageStatusOut };

export type UserEvent =
  /** A frame for every event stream of the user, as it is. */
  | { kind: 'user_frame'; frame: UserStreamFrame }
  /** A message to the user was stored: the instance holding their streams reads the new count. */
  | { kind: 'unread_changed'; pair_id: number; partner_email: string };

/** What one layer channel carries: a room's events, or a user's. */
export type ChannelEvent = RoomEvent | UserEvent;

export type BroadcastEvent =
  | { kind: 'session_revoked'; token_hash: string; reason: string }
  /** A coordinator changed the filter's word list: every instance reads it again. */
  | { kind: 'word_list_changed' }
  /** A coordinator's announcement: every instance gives it to the open connections of its audience. */
  | { kind: 'announcement'; audience: AnnouncementAudience; frame: AnnouncementOut }
  /** Something admins see changed (a hold, a report, a decision): every instance tells its admins' event streams. */
  | { kind: 'admin_changed'; what: AdminTopic };

export type LayerEvent = ChannelEvent | BroadcastEvent;
