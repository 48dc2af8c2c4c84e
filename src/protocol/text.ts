/**
 * The one set of rules for text a client sends, applied alike by the frame parser (message
 * content, client_id), the importer and the HTTP API (every string of every body, query and
 * path, through the schema keyword `x-text`, see http/text-fields.ts): pure functions, no
 * I/O. Each answers the problem in words a client can show, or null when the text is acceptable.
 */

/**
 * The kinds of text, each with its rules. Every kind refuses NUL and lone surrogates (a lone
 * surrogate is not Unicode text and PostgreSQL cannot store NUL), except `secret`, which is
 * only ever hashed.
 * - `label`: one line shown as a name (first and last names): no control characters, no
 *   bidirectional overrides or isolates, and something visible.
 * - `prose`: free text people read (report reasons, resolution notes, rejection reasons):
 *   line breaks but no other control characters, no bidirectional overrides or isolates
 *   (they would reorder the text shown around it), and something visible.
 * - `identifier`: an opaque key (`client_id`, `external_id`): no control characters.
 * - `search`: a search term (`q`): no control characters.
 * - `email`: an email as typed, for a lookup (see `emailProblem`).
 * - `content`: a chat message (see `contentProblem`; blankness is `isBlank`'s question).
 * - `secret`: a password: anything.
 */
export const TEXT_KINDS = ['label', 'prose', 'identifier', 'search', 'email', 'content', 'secret'] as const;
export type TextKind = (typeof TEXT_KINDS)[number];

// In a `u` regex a well-formed surrogate pair is one code point, so only lone halves match \p{Cs}.
const LONE_SURROGATE = /\p{Cs}/u;
// Message content may keep its line breaks and the controls Python strips as whitespace.
const CONTENT_CONTROL = /[\0-\x08\x0E-\x1B\x7F-\x84\x86-\x9F]/;
const CONTROL = /\p{Cc}/u;
// Free text keeps its line breaks (LF, CR): every other control is refused.
const PROSE_CONTROL = /[\0-\x09\x0B\x0C\x0E-\x1F\x7F-\x9F]/;
// Overrides and isolates reorder the text around a name wherever it is shown.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/;
// What renders as nothing: whitespace, format characters (zero-width space and joiners,
// word joiner, BOM, bidi marks, Mongolian vowel separator, tags…), controls, and the
// letters and symbols that fonts draw blank (braille blank, Hangul fillers, combining
// grapheme joiner, variation selectors, Khmer inherent vowels).
const INVISIBLE = /^[\p{White_Space}\p{Cf}\p{Cc}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]*$/u;

const UNPAIRED = 'must not contain NUL or unpaired surrogates';
const NO_BIDI = 'must not contain bidirectional override or isolate characters';
const VISIBLE = 'must contain a visible character';

/** Why `text` may not be text of `kind`, or null. The problem reads after the field's name. */
export function textProblem(kind: TextKind, text: string): string | null {
  switch (kind) {
    case 'label':
      return nameProblem(text);
    case 'prose':
      if (text.includes('\0') || LONE_SURROGATE.test(text)) return UNPAIRED;
      if (PROSE_CONTROL.test(text)) return 'must not contain control characters other than line breaks';
      if (BIDI_CONTROL.test(text)) return NO_BIDI;
      return isBlank(text) ? VISIBLE : null;
    case 'identifier':
    case 'search':
      if (text.includes('\0') || LONE_SURROGATE.test(text)) return UNPAIRED;
      return CONTROL.test(text) ? 'must not contain control characters' : null;
    case 'email':
      return emailProblem(text);
    case 'content':
      return contentProblem(text);
    case 'secret':
      return null;
  }
}

/** Why `text` may not be message content, or null. Blankness is `isBlank`'s question. */
export function contentProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text) || CONTENT_CONTROL.test(text)) return 'contains characters that cannot be stored';
  return null;
}

/** Why `text` may not be a person's name (or another one-line label), or null. */
export function nameProblem(text: string): string | null {
  if (LONE_SURROGATE.test(text) || CONTROL.test(text)) return 'must not contain control characters or unpaired surrogates';
  if (BIDI_CONTROL.test(text)) return NO_BIDI;
  if (isBlank(text)) return VISIBLE;
  return null;
}

/** Emails have their own rule (one for every path), in email.ts. */
import { emailProblem } from './email.js';

export { emailProblem };

/** True when `text` would show as nothing: only whitespace and invisible characters. */
export function isBlank(text: string): boolean {
  return INVISIBLE.test(text);
}
