import type { WireMessage } from '../protocol/frames.js';
import type { Message, User } from '../store/index.js';

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
