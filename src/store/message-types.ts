/** A pair's messages as the Store holds them, and a page of a list; shared by the Store's parts. */
import type { AttachmentInfo } from './attachments.js';

/** A participant's message, or a notice in the pair's timeline (an admin viewed the conversation). */
export type MessageKind = 'message' | 'admin_viewed';

export interface Message {
  id: number;
  pairId: number;
  seq: number;
  /** For a notice, `senderId` is the admin and `content` their name as shown to the pair. */
  kind: MessageKind;
  senderId: number;
  content: string;
  createdAt: Date;
  isRead: boolean;
  clientId: string | null;
  /** The files sent with it (absent or empty: none). */
  attachments?: readonly AttachmentInfo[];
}

export interface NewMessage {
  pairId: number;
  senderId: number;
  content: string;
  clientId?: string | null;
  /** The sender's unsent uploads in the pair to send with it; others are ignored (the message's `attachments` says which it got). */
  attachmentIds?: readonly number[];
}

/** A page of a list: oldest or newest first as the method says, and whether more lie beyond. */
export interface Paged<T> {
  items: T[];
  hasMore: boolean;
}
