/**
 * What attackers send as text, for property tests: strings mixing NUL, every control, lone
 * surrogates of either half, bidirectional overrides and isolates, invisible characters, and
 * code points of every Unicode category (fast-check's `binary` unit draws from all of them);
 * and a way to put such a string in a URL even when it is not well-formed.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ErrorCatalogue } from '../../src/errors.js';

/** One character of each kind that has broken text handling somewhere. */
const SPECIALS = [
  '\u0000',
  '\u0007',
  '\t',
  '\n',
  '\r',
  '\u000B',
  '\u001B',
  '\u007F',
  '\u0085',
  '\u0090',
  '\u00A0',
  '\u00AD',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uD83D\uDE00',
  '\uDE00\uD83D',
  '\u200B',
  '\u200E',
  '\u200F',
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u2028',
  '\u2029',
  '\u2060',
  '\uFEFF',
  '\u2800',
  '\u3164',
  '\u034F',
  '\uFE0F',
  '\u0301',
  '\uE000',
  '\uFFFF',
  '\u{E0001}',
  '\u{10FFFF}',
  'a',
  'Z',
  ' ',
  '%',
  '"',
  '\\',
  '/',
  '?',
  '#',
  '&',
  '=',
  '+',
  '.',
  '@',
  'é',
  '李',
  'ى',
];

/** A hostile string of up to `maxLength` units; the specials are drawn as often as any code point. */
export function hostileText(maxLength = 12): fc.Arbitrary<string> {
  const unit = fc.oneof(fc.constantFrom(...SPECIALS), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }));
  return fc.string({ unit, maxLength });
}

/** Percent-encodes every UTF-16 unit; a lone surrogate becomes the three bytes no UTF-8 decoder accepts. */
export function encodeLoose(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** A refusal in the documented shape: a 4xx whose body is exactly `{error, message}` with a catalogue code of that status. */
export function assertRefusal(status: number, body: unknown, what: string): void {
  assert.ok(status >= 400 && status < 500, `${what}: ${status} ${JSON.stringify(body)}`);
  const { error, message, ...rest } = body as { error: keyof typeof ErrorCatalogue; message: string };
  assert.deepEqual(rest, {}, what);
  assert.equal(typeof message, 'string', what);
  assert.equal(ErrorCatalogue[error]?.status, status, `${what}: ${JSON.stringify(body)}`);
}

/** The property's runs: enough to meet every class of character, few enough for a shared machine. */
export const RUNS = { numRuns: 40 } as const;
