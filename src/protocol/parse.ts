/**
 * Parsing of inbound text frames: pure functions, no I/O. Each rejection carries the
 * exact error text the client sees; the seed's texts are kept to the letter.
 */
import { ErrorText, MAX_ATTACHMENTS, MAX_CLIENT_ID_LENGTH, MAX_CONTENT_CODE_POINTS, type ChatMessageIn, type InboundFrame } from './frames.js';
import { contentProblem, isBlank, textProblem } from './text.js';

/**
 * A parsed frame, or the error text for it; a refused `chat_message` that carried a valid
 * `client_id` names it, so the client knows which message was refused.
 */
export type ParseResult = { ok: true; frame: InboundFrame } | { ok: false; error: string; clientId?: string };

/**
 * Trims like Python's `str.strip()`: exactly the characters for which `str.isspace()` is
 * true (JavaScript's trim() differs: it strips U+FEFF and keeps U+001C..U+001F and U+0085).
 * A scan from each end, not a regex: `[…]+$` tries every start inside a run of whitespace
 * that is not at the end, quadratic in the run's length.
 */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonSpace(text.charCodeAt(start))) start += 1;
  while (end > start && isPythonSpace(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(start, end);
}

/** Python's whitespace, all in the Basic Multilingual Plane, so one UTF-16 code unit each. */
function isPythonSpace(unit: number): boolean {
  if (unit <= 0x20) return (unit >= 0x09 && unit <= 0x0d) || unit >= 0x1c;
  if (unit < 0x85) return false;
  return (
    unit === 0x85 ||
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000
  );
}

/** Length in Unicode code points, like Python's `len` (an emoji counts once). */
export function codePointLength(text: string, stopAfter = Infinity): number {
  let count = 0;
  for (const _ of text) {
    if (++count > stopAfter) break;
  }
  return count;
}

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
    default:
      return { ok: false, error: ErrorText.unknownType };
  }
}

function parseChatMessage(fields: Record<string, unknown>): ParseResult {
  const clientId = fields.client_id;
  if (clientId !== undefined && clientId !== null && !isClientId(clientId)) return { ok: false, error: ErrorText.badClientId };
  const refuse = (error: string): ParseResult => (isClientId(clientId) ? { ok: false, error, clientId } : { ok: false, error });
  const raw = fields.content === undefined ? '' : fields.content;
  if (typeof raw !== 'string') return refuse(ErrorText.contentNotString);
  if (contentProblem(raw) !== null) return refuse(ErrorText.badCharacters);
  const content = pythonStrip(raw);
  const attachments = fields.attachments;
  if (attachments !== undefined && !isAttachmentList(attachments)) return refuse(ErrorText.badAttachments);
  // Zero-width and filler characters alone show as an empty bubble: that is empty too (unless files go with it).
  if (isBlank(content) && attachments === undefined) return refuse(ErrorText.emptyContent);
  // A UTF-16 length within the limit bounds the code-point length too.
  if (content.length > MAX_CONTENT_CODE_POINTS && codePointLength(content, MAX_CONTENT_CODE_POINTS) > MAX_CONTENT_CODE_POINTS) {
    return refuse(ErrorText.tooLong);
  }
  const frame: ChatMessageIn = { type: 'chat_message', content: isBlank(content) ? '' : content };
  if (isClientId(clientId)) frame.client_id = clientId;
  if (attachments !== undefined) frame.attachments = [...new Set(attachments)];
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
