import type { RoomEvent } from '../protocol/events.js';
import type { ChangeOut, HeldEchoOut, NoticeOut, OutboundFrame, WireAttachment, WireMessage } from '../protocol/frames.js';
import {
  isChange,
  type AttachmentInfo,
  type HeldMessage,
  type Message,
  type MessageChange,
  type ReadResult,
  type TimelineEntry,
  type User,
} from '../store/index.js';

/** "First Last", as the seed's `full_name`. */
export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

/**
 * A stored message as the wire shows it; `other` is the pair's other user, who may have sent
 * the message it answers. A deleted message's content is empty already (the store emptied it).
 */
export function toWireMessage(message: Message, sender: User, other?: User): WireMessage {
  const wire: WireMessage = {
    message_id: String(message.id),
    seq: message.seq,
    sender_email: sender.email,
    sender_name: fullName(sender),
    content: message.content,
    timestamp: message.createdAt.toISOString(),
  };
  if (message.clientId !== null) wire.client_id = message.clientId;
  if (message.editedAt !== null) wire.edited_at = message.editedAt.toISOString();
  if (message.deleted) wire.deleted = true;
  const reply = message.replyTo;
  if (reply !== null) {
    const replySender = reply.senderId === sender.id ? sender : other;
    wire.reply_to = String(reply.id);
    wire.reply_preview = { message_id: String(reply.id), sender_email: replySender?.email ?? '', content: reply.preview };
  }
  if (message.attachments?.length) wire.attachments = message.attachments.map(toWireAttachment);
  return wire;
}

/** A change to a message as the wire shows it; `actor` made it. */
export function toChangeFrame(change: MessageChange, actor: Pick<User, 'email'>): ChangeOut {
  const messageId = String(change.messageId);
  switch (change.kind) {
    case 'edit':
      return { type: 'message_edited', message_id: messageId, seq: change.seq, content: change.content, edited_at: change.createdAt.toISOString() };
    case 'delete':
      return { type: 'message_deleted', message_id: messageId, seq: change.seq };
    default:
      return { type: 'reaction', message_id: messageId, emoji: change.content, user_email: actor.email, on: change.kind === 'react', seq: change.seq };
  }
}

/** Any entry of a pair's timeline (a message, a notice, a change) as the wire shows it to one of the pair. */
export function toTimelineFrame(entry: TimelineEntry, user: User, partner: User): OutboundFrame {
  if (isChange(entry)) return toChangeFrame(entry, entry.actorId === user.id ? user : partner);
  if (entry.kind === 'admin_viewed') return toNotice(entry);
  const sender = senderOf(entry, user, partner);
  return { type: 'chat_message', ...toWireMessage(entry, sender, sender === user ? partner : user) };
}

/** A file as a message shows it. */
export function toWireAttachment(file: AttachmentInfo): WireAttachment {
  return { attachment_id: String(file.id), name: file.name, content_type: file.contentType, size: file.size };
}

/** A notice of the pair's timeline as the wire shows it; its `content` is the actor's name. */
export function toNotice(message: Message): NoticeOut {
  return {
    type: 'notice',
    kind: 'admin_viewed',
    actor_name: message.content,
    timestamp: message.createdAt.toISOString(),
    message_id: String(message.id),
    seq: message.seq,
  };
}

/** The wire id of a held message: its own series, never a position in the pair. */
export const heldWireId = (id: number): string => `h${id}`;

/** A held message as its sender sees it: marked held, without `seq`. */
export function toHeldEcho(held: HeldMessage, sender: User): HeldEchoOut {
  const echo: HeldEchoOut = {
    type: 'chat_message',
    message_id: heldWireId(held.id),
    sender_email: sender.email,
    sender_name: fullName(sender),
    content: held.content,
    timestamp: held.createdAt.toISOString(),
    status: 'held',
    rule: held.rule,
  };
  if (held.clientId !== null) echo.client_id = held.clientId;
  if (held.attachments?.length) echo.attachments = held.attachments.map(toWireAttachment);
  return echo;
}

/** Which of the pair's two users sent `message`. */
export function senderOf(message: Message, one: User, other: User): User {
  return message.senderId === one.id ? one : other;
}

/** The room event announcing a `mark_read`, over the socket or over HTTP alike. */
export function readReceiptEvent(reader: Pick<User, 'id' | 'email'>, result: ReadResult): RoomEvent {
  return {
    kind: 'read_receipt',
    reader_id: reader.id,
    reader_email: reader.email,
    count: result.count,
    last_read_id: result.lastReadId === null ? null : String(result.lastReadId),
  };
}
