import type { RoomEvent } from '../protocol/events.js';
import type { WireMessage } from '../protocol/frames.js';
import type { Message, ReadResult, User } from '../store/index.js';

/** "First Last", as the seed's `full_name`. */
export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

/** A stored message as the wire shows it. */
export function toWireMessage(message: Message, sender: User): WireMessage {
  const wire: WireMessage = {
    message_id: String(message.id),
    seq: message.seq,
    sender_email: sender.email,
    sender_name: fullName(sender),
    content: message.content,
    timestamp: message.createdAt.toISOString(),
  };
  if (message.clientId !== null) wire.client_id = message.clientId;
  return wire;
}

/** Which of the pair's two users sent `message`. */
export function senderOf(message: Message, one: User, other: User): User {
  return message.senderId === one.id ? one : other;
}

/** The room event announcing a `mark_read`, over the socket or over HTTP alike. */
export function readReceiptEvent(readerEmail: string, result: ReadResult): RoomEvent {
  return {
    kind: 'read_receipt',
    reader_email: readerEmail,
    count: result.count,
    last_read_id: result.lastReadId === null ? null : String(result.lastReadId),
  };
}
