/**
 * Parsing of inbound text frames: pure functions, no I/O. Each rejection carries the
 * exact error text the client sees; the seed's texts are kept to the letter.
 */
import { ErrorText, MAX_ATTACHMENTS, MAX_CLIENT_ID_LENGTH, type ChatMessageIn, type InboundFrame } from './frames.js';
import { parseChange } from './parse-changes.js';
import { checkedContent, messageIdOf, type ParseResult } from './content.js';
import { textProblem } from './text.js';

export { checkedContent, codePointLength, messageIdOf, pythonStrip } from './content.js';

export type { ParseResult } from './content.js';

/** Parses one inbound text frame. Never throws. */
export function parseFrame(text: string): ParseResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, error: ErrorText.invalidJson };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, error: ErrorText.notObject };
  }
  const fields = data as Record<string, unknown>;
  switch (fields.type) {
    case 'chat_message':
      return parseChatMessage(fields);
    case 'typing':
      return parseTyping(fields);
    case 'mark_read':
      return { ok: true, frame: { type: 'mark_read' } };
    case 'edit_message':
    case 'delete_message':
    case 'react':
      return parseChange(fields);
    default:
      return { ok: false, error: ErrorText.unknownType };
  }
}

function parseChatMessage(fields: Record<string, unknown>): ParseResult {
  const clientId = fields.client_id;
  if (clientId !== undefined && clientId !== null && !isClientId(clientId)) return { ok: false, error: ErrorText.badClientId };
  const refuse = (error: string): ParseResult => (isClientId(clientId) ? { ok: false, error, clientId } : { ok: false, error });
  const attachments = fields.attachments;
  // Blank content is allowed when files go with it.
  const content = checkedContent(fields.content, attachments !== undefined);
  if (!content.ok) return refuse(content.error);
  if (attachments !== undefined && !isAttachmentList(attachments)) return refuse(ErrorText.badAttachments);
  const frame: ChatMessageIn = { type: 'chat_message', content: content.text };
  if (isClientId(clientId)) frame.client_id = clientId;
  if (attachments !== undefined) frame.attachments = [...new Set(attachments)];
  if (fields.reply_to !== undefined && fields.reply_to !== null) {
    const replyTo = messageIdOf(fields.reply_to);
    if (replyTo === null) return refuse(ErrorText.badReplyTo);
    frame.reply_to = replyTo;
  }
  return { ok: true, frame };
}

/** 1 to MAX_ATTACHMENTS attachment ids, each as a message id is written (decimal digits). */
function isAttachmentList(value: unknown): value is string[] {
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= MAX_ATTACHMENTS &&
    value.every((id) => typeof id === 'string' && id.length >= 1 && id.length <= 15 && [...id].every((c) => c >= '0' && c <= '9'))
  );
}

/** A client_id is an identifier (protocol/text.ts): no NUL, no control characters, no unpaired surrogates. */
function isClientId(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= MAX_CLIENT_ID_LENGTH && textProblem('identifier', value) === null;
}

/**
 * The valid `client_id` of a `chat_message` frame, if it has one, whatever else is wrong with
 * it. Read for frames refused unread (rate limit): the content is not checked or stripped.
 */
export function clientIdOf(text: string): string | undefined {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const fields = data as Record<string, unknown>;
  return fields.type === 'chat_message' && isClientId(fields.client_id) ? fields.client_id : undefined;
}

function parseTyping(fields: Record<string, unknown>): ParseResult {
  const value = fields.is_typing;
  if (value === undefined || value === null) return { ok: true, frame: { type: 'typing', is_typing: false } };
  if (typeof value !== 'boolean') return { ok: false, error: ErrorText.badTyping };
  return { ok: true, frame: { type: 'typing', is_typing: value } };
}
