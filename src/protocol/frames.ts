/**
 * The wire: every frame that crosses a Tandem WebSocket, typed once and shared by the
 * server, the client and the tests. Part 1 of PROTOCOL.md is the seed's contract; the
 * optional fields mark Part 2's additions, which never change the meaning of Part 1.
 */
import type { AnnouncementOut } from './announcements.js';

/** A chat message as it appears on the wire (outbound `chat_message` minus `type`). */
export interface WireMessage {
  message_id: string;
  seq: number;
  sender_email: string;
  sender_name: string;
  content: string;
  timestamp: string;
  client_id?: string;
  /** Part 8: when its content was last edited (ISO-8601); absent if never. */
  edited_at?: string;
  /** Part 8: deleted by its sender; `content` is then empty. */
  deleted?: true;
  /** Part 8: the message it answers. */
  reply_to?: string;
  reply_preview?: ReplyPreview;
  /** Part 8, in history only: emoji → the emails of the users who reacted with it. */
  reactions?: Record<string, string[]>;
  /** The files sent with it (PROTOCOL.md Part 8); absent when none. */
  attachments?: WireAttachment[];
}

/** A file as a message shows it; its bytes are at `GET /api/attachments/{attachment_id}`. */
export interface WireAttachment {
  attachment_id: string;
  name: string;
  /** The type decided from the file's bytes, not the name or the header its sender gave. */
  content_type: string;
  size: number;
}

/** What a reply shows of the message it answers: empty `content` when that is deleted or erased. */
export interface ReplyPreview {
  message_id: string;
  sender_email: string;
  content: string;
}

// ---- client → server ----

export interface ChatMessageIn {
  type: 'chat_message';
  content: string;
  client_id?: string;
  /** Part 8: the id of a message of the pair that this one answers. */
  reply_to?: string;
  /** Ids of the sender's own unsent uploads to the pair (at most `MAX_ATTACHMENTS`); `content` may then be empty. */
  attachments?: string[];
}
/** Part 8: one's own message gets new content, within the edit window. */
export interface EditMessageIn {
  type: 'edit_message';
  message_id: string;
  content: string;
}
/** Part 8: one's own message is deleted for everyone. */
export interface DeleteMessageIn {
  type: 'delete_message';
  message_id: string;
}
/** Part 8: a reaction set (`on`) or withdrawn. */
export interface ReactIn {
  type: 'react';
  message_id: string;
  emoji: string;
  on: boolean;
}
export interface TypingIn {
  type: 'typing';
  is_typing?: boolean;
}
export interface MarkReadIn {
  type: 'mark_read';
}
export type InboundFrame = ChatMessageIn | TypingIn | MarkReadIn | EditMessageIn | DeleteMessageIn | ReactIn;

// ---- server → client ----

export interface ConnectionEstablishedOut {
  type: 'connection_established';
  message: 'Connected to chat';
  partner_online?: boolean;
  /** Present when the pair is paused (PROTOCOL.md Part 7): sending is refused until `match_state` says `active`. */
  match_state?: 'paused';
}
export interface ChatMessageOut extends WireMessage {
  type: 'chat_message';
}
export interface TypingOut {
  type: 'typing';
  sender_email: string;
  is_typing: boolean;
}
export interface ReadReceiptOut {
  type: 'read_receipt';
  reader_email: string;
  count?: number;
  last_read_id?: string | null;
}
export interface PresenceOut {
  type: 'presence';
  email: string;
  online: boolean;
}
export interface ForceDisconnectOut {
  type: 'force_disconnect';
  reason: string;
}
/**
 * The sender's echo of a message the filter held (policy `moderated`): no `seq`, since it is
 * not in the pair's timeline until approved; `message_id` is the held message's (`h<id>`),
 * not a position to resume after. Only the sending connection gets it. Not in `OutboundFrame`,
 * whose `chat_message` always has a `seq`: a reader tells it apart by `status`.
 */
export interface HeldEchoOut extends Omit<WireMessage, 'seq'> {
  type: 'chat_message';
  status: 'held';
  /** The filter rule that held it: `email`, `phone`, `link`, `handle`, `off_platform`, `address` or `word`. */
  rule: string;
}
/** An admin viewed the conversation (policies `oversight`, `moderated`); it takes a `seq` like a message. */
export interface NoticeOut {
  type: 'notice';
  kind: 'admin_viewed';
  actor_name: string;
  timestamp: string;
  message_id: string;
  seq: number;
}
/** A decision on one of the sender's held messages (rejected, never delivered), or an edit the filter held. */
export interface MessageStatusOut {
  type: 'message_status';
  message_id: string;
  status: 'rejected' | 'held';
  reason?: string;
  /** For a held edit: the rule that held it, and the held edit's id (`h<id>`, which a later `rejected` names). */
  rule?: string;
  held_id?: string;
}
/**
 * Part 8: changes to a message. Each takes a place in the pair's timeline: `seq` is the
 * change's own, after the message's, contiguous with the pair's messages and notices.
 */
export interface MessageEditedOut {
  type: 'message_edited';
  message_id: string;
  seq: number;
  content: string;
  edited_at: string;
}
export interface MessageDeletedOut {
  type: 'message_deleted';
  message_id: string;
  seq: number;
}
export interface ReactionOut {
  type: 'reaction';
  message_id: string;
  emoji: string;
  user_email: string;
  on: boolean;
  seq: number;
}
export type ChangeOut = MessageEditedOut | MessageDeletedOut | ReactionOut;
/** The match was paused or resumed. On a chat socket `partner_email` is absent (the socket names the pair). */
export interface MatchStateOut {
  type: 'match_state';
  partner_email?: string;
  state: 'paused' | 'active';
}
/** The user read the conversation with `partner_email` on another connection. */
export interface ReadStateOut {
  type: 'read_state';
  partner_email: string;
  last_read_id: string | null;
  unread_count: 0;
}
export interface ErrorOut {
  type: 'error';
  message: string;
  /** A stable code for errors beyond the seed's texts, e.g. `unavailable`. */
  code?: string;
  /** The `client_id` of the `chat_message` this error refuses, when it carried one. */
  client_id?: string;
}
export type OutboundFrame =
  | ConnectionEstablishedOut
  | ChatMessageOut
  | TypingOut
  | ReadReceiptOut
  | PresenceOut
  | ForceDisconnectOut
  | NoticeOut
  | MessageEditedOut
  | MessageDeletedOut
  | ReactionOut
  | MessageStatusOut
  | MatchStateOut
  | ReadStateOut
  | AnnouncementOut
  | ErrorOut;

/** The seed's exact error texts; clients match on them, so they never change. */
export const ErrorText = {
  emptyContent: 'Message content cannot be empty',
  tooLong: 'Message too long (max 5000 characters)',
  unknownType: 'Unknown message type',
  invalidJson: 'Invalid JSON format',
  notObject: 'Frame must be a JSON object',
  contentNotString: 'Message content must be a string',
  badCharacters: 'Message content contains characters that cannot be stored',
  badClientId: 'client_id must be a string of 1 to 64 characters',
  badTyping: 'is_typing must be a boolean',
  badAttachments: 'attachments must be a list of 1 to 4 attachment ids',
  attachmentUnavailable: 'An attachment is not one of your unsent uploads to this conversation',
  binaryFrame: 'Binary frames are not supported',
  rateLimited: 'Rate limit exceeded',
  invalidAfter: 'after must be a message id',
  badMessageId: 'message_id must be a message id',
  badReplyTo: 'reply_to must be a message id',
  badEmoji: 'emoji must be a string',
  badOn: 'on must be a boolean',
  messageNotFound: 'No such message in this conversation',
  badReplyTarget: 'reply_to must be a message of this conversation',
  notOwnMessage: 'You can only change your own messages',
  messageDeleted: 'This message was deleted',
  editWindowPassed: 'This message can no longer be edited',
  unknownReaction: 'This reaction is not one of the published set',
  notMatched: 'You are no longer matched with this partner',
  matchPaused: 'This conversation is paused',
  unavailable: 'Chat is temporarily unavailable, please retry',
  internal: 'Internal error',
} as const;

export const CONNECTED_TEXT = 'Connected to chat' as const;

/** Maximum message length in Unicode code points, after trimming (Python's `len`). */
export const MAX_CONTENT_CODE_POINTS = 5000;
/** Bounds of the optional idempotency key. */
export const MAX_CLIENT_ID_LENGTH = 64;
/** Files one message may carry. */
export const MAX_ATTACHMENTS = 4;

/** The rules of the filter (policy `moderated`) that can hold a message, as the wire names them. */
export const FILTER_RULES = ['email', 'phone', 'link', 'handle', 'off_platform', 'address', 'word'] as const;
export type FilterRule = (typeof FILTER_RULES)[number];
/** Why a message is held: a rule of the filter, or (policy `moderated`) that it carries files, which an admin looks at first. */
export const HOLD_RULES = [...FILTER_RULES, 'attachment'] as const;
