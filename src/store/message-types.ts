/** A pair's messages as the Store holds them; shared by the Store's two sides (types.ts, safeguarding-types.ts). */

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
}

export interface NewMessage {
  pairId: number;
  senderId: number;
  content: string;
  clientId?: string | null;
}
