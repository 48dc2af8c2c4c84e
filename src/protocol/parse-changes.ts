/** Parsing of Part 8's inbound frames that change a message: `edit_message`, `delete_message`, `react`. Never throws. */
import { ErrorText } from './frames.js';
import { checkedContent, messageIdOf, type ParseResult } from './content.js';

/** Longest emoji text looked at: every published reaction is far shorter; the set itself is checked by the server. */
const MAX_EMOJI_LENGTH = 32;

export function parseChange(fields: Record<string, unknown>): ParseResult {
  const messageId = messageIdOf(fields.message_id);
  if (messageId === null) return { ok: false, error: ErrorText.badMessageId };
  switch (fields.type) {
    case 'edit_message': {
      const content = checkedContent(fields.content);
      if (!content.ok) return { ok: false, error: content.error };
      return { ok: true, frame: { type: 'edit_message', message_id: messageId, content: content.text } };
    }
    case 'delete_message':
      return { ok: true, frame: { type: 'delete_message', message_id: messageId } };
    default: {
      const { emoji, on } = fields;
      if (typeof emoji !== 'string' || emoji.length === 0 || emoji.length > MAX_EMOJI_LENGTH) return { ok: false, error: ErrorText.badEmoji };
      if (on !== undefined && typeof on !== 'boolean') return { ok: false, error: ErrorText.badOn };
      return { ok: true, frame: { type: 'react', message_id: messageId, emoji, on: on !== false } };
    }
  }
}
