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
  /** When its content was last edited; null if never. */
  editedAt: Date | null;
  /** Deleted by its sender: `content` is empty (the text waits for admins in its versions). */
  deleted: boolean;
  /** The message it answers, with what its sender and the first characters of it were (empty once deleted or erased). */
  replyTo: ReplyRef | null;
  /** The files sent with it (absent or empty: none). */
  attachments?: readonly AttachmentInfo[];
}

/** What a reply shows of the message it answers. */
export interface ReplyRef {
  id: number;
  senderId: number;
  /** At most `REPLY_PREVIEW_LENGTH` code points; empty when that message is deleted or erased. */
  preview: string;
}

/** How much of the answered message a reply's preview keeps. */
export const REPLY_PREVIEW_LENGTH = 100;

export interface NewMessage {
  pairId: number;
  senderId: number;
  content: string;
  clientId?: string | null;
  /** The id of a message of the same pair that this one answers (checked in the storing transaction). */
  replyTo?: number | null;
  /** The sender's unsent uploads in the pair to send with it; others are ignored (the message's `attachments` says which it got). */
  attachmentIds?: readonly number[];
}

/** A page of a list: oldest or newest first as the method says, and whether more lie beyond. */
export interface Paged<T> {
  items: T[];
  hasMore: boolean;
}

/** The preview a reply keeps of `content`: its first `REPLY_PREVIEW_LENGTH` code points. */
export function previewOf(content: string): string {
  if (content.length <= REPLY_PREVIEW_LENGTH) return content;
  return [...content].slice(0, REPLY_PREVIEW_LENGTH).join('');
}
