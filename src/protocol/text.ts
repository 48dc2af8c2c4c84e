/**
 * The one set of rules for text a client sends, applied alike by the frame parser (message
 * content) and the HTTP API (names, emails): pure functions, no I/O. Each answers the
 * problem in words a client can show, or null when the text is acceptable.
 */

// A lone surrogate is not Unicode text (stored, it becomes invalid UTF-8), and PostgreSQL
// cannot store NUL: no text anywhere may carry either. In a `u` regex a well-formed
// surrogate pair is one code point, so only lone halves match \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;
// Message content may keep its line breaks and the controls Python strips as whitespace.
const CONTENT_CONTROL = /[\0-\x08\x0E-\x1B\x7F-\x84\x86-\x9F]/;
const NAME_CONTROL = /\p{Cc}/u;
// Overrides and isolates reorder the text around a name wherever it is shown.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// What renders as nothing: whitespace, format characters (zero-width space and joiners,
// word joiner, BOM, bidi marks, Mongolian vowel separator, tags…), controls, and the
// letters and symbols that fonts draw blank (braille blank, Hangul fillers, combining
// grapheme joiner, variation selectors, Khmer inherent vowels).
const INVISIBLE = /^[\p{White_Space}\p{Cf}\p{Cc}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]*$/u;

/** Why `text` may not be message content, or null. Blankness is `isBlank`'s question. */
export function contentProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text) || CONTENT_CONTROL.test(text)) return 'contains characters that cannot be stored';
  return null;
}

/** Why `text` may not be a person's name (or another one-line label), or null. */
export function nameProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text) || NAME_CONTROL.test(text)) return 'must not contain control characters or unpaired surrogates';
  if (BIDI_CONTROL.test(text)) return 'must not contain bidirectional override or isolate characters';
  if (isBlank(text)) return 'must contain a visible character';
  return null;
}

/** Emails have their own rule (one for every path), in email.ts. */
export { emailProblem } from './email.js';

/** True when `text` would show as nothing: only whitespace and invisible characters. */
export function isBlank(text: string): boolean {
  return INVISIBLE.test(text);
}
