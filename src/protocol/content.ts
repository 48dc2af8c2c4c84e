/** A message's text by the rules of `chat_message` (an edit's too), and the wire's message ids. Pure functions. */
import { ErrorText, MAX_CONTENT_CODE_POINTS, type InboundFrame } from './frames.js';
import { contentProblem, isBlank } from './text.js';

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

/**
 * A message's content by the rules of `chat_message` (an edit's too): its characters,
 * trimmed, not blank (unless `blankAllowed`: files go with it, and it is then ''), not too long.
 */
export function checkedContent(value: unknown, blankAllowed = false): { ok: true; text: string } | { ok: false; error: string } {
  const raw = value === undefined ? '' : value;
  if (typeof raw !== 'string') return { ok: false, error: ErrorText.contentNotString };
  if (contentProblem(raw) !== null) return { ok: false, error: ErrorText.badCharacters };
  const content = pythonStrip(raw);
  // Zero-width and filler characters alone show as an empty bubble: that is empty too.
  if (isBlank(content)) return blankAllowed ? { ok: true, text: '' } : { ok: false, error: ErrorText.emptyContent };
  // A UTF-16 length within the limit bounds the code-point length too.
  if (content.length > MAX_CONTENT_CODE_POINTS && codePointLength(content, MAX_CONTENT_CODE_POINTS) > MAX_CONTENT_CODE_POINTS) {
    return { ok: false, error: ErrorText.tooLong };
  }
  return { ok: true, text: content };
}

/** A message id as the wire writes it: a decimal string (or number) of a positive safe integer; null otherwise. */
export function messageIdOf(value: unknown): string | null {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text.length === 0 || text.length > 15 || text.startsWith('0')) return null;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x30 || unit > 0x39) return null;
  }
  return text;
}
