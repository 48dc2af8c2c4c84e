/**
 * What a reader sees, as text the rules can match: a message disguised with characters that
 * look like others, that show as nothing, or that reorder what follows must be matched as it
 * is shown, not as it is stored. Pure; every step is one pass over the text.
 *
 * `readerView`: right-to-left overrides applied (a run after U+202E is shown reversed),
 * invisible and format characters removed (zero-width space and joiners, soft hyphen, bidi
 * controls, word joiner, BOM, tags, variation selectors), NFKC (full-width and mathematical
 * forms, ligatures), and the decimal digits of every script as ASCII digits.
 * `skeleton`: the reader's view with look-alike letters as the Latin ones (Unicode TS #39
 * confusables, through the `confusables` package): for emails, links, handles and words.
 */
import { remove as removeConfusables } from 'confusables';

const RLO = 0x202e;
/** What ends an override: PDF, or the end of the paragraph. */
const ENDS_OVERRIDE = new Set([0x202c, 0x0a, 0x0d, 0x2029]);
/** Shown as nothing: format characters (Cf), variation selectors, the combining grapheme joiner, Hangul fillers. */
const INVISIBLE = /[\p{Cf}\u034F\u115F\u1160\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/gu;
const INVISIBLE_ONE = /[\p{Cf}\u034F\u115F\u1160\u3164\uFFA0\uFE00-\uFE0F\u{E0100}-\u{E01EF}]/u;
const DECIMAL_DIGIT = /\p{Nd}/u;

/** The text in the order a reader sees it, with an RLO-overridden run reversed. */
function displayOrder(text: string): string {
  if (!text.includes('\u202e')) return text;
  const out: string[] = [];
  let reversed: string[] | null = null;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code === RLO) {
      if (reversed) out.push(...reversed.reverse());
      reversed = [];
      continue;
    }
    if (reversed && ENDS_OVERRIDE.has(code)) {
      out.push(...reversed.reverse());
      reversed = null;
    }
    if (reversed) reversed.push(char);
    else out.push(char);
  }
  if (reversed) out.push(...reversed.reverse());
  return out.join('');
}

/** Values of the non-ASCII digits met so far: at most the few hundred Nd code points. */
const digitValues = new Map<number, number>();

/**
 * The value of a decimal digit of any script: Unicode keeps each script's digits in runs of
 * ten code points from zero to nine (several runs may sit side by side), so the value is the
 * distance from the start of the block, modulo ten.
 */
function digitValue(code: number): number {
  let value = digitValues.get(code);
  if (value === undefined) {
    let start = code;
    while (DECIMAL_DIGIT.test(String.fromCodePoint(start - 1))) start -= 1;
    value = (code - start) % 10;
    digitValues.set(code, value);
  }
  return value;
}

function asciiDigits(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += code > 0x7f && DECIMAL_DIGIT.test(char) ? String(digitValue(code)) : char;
  }
  return out;
}

/** The text as a reader sees it (see the header). */
export function readerView(text: string): string {
  return asciiDigits(displayOrder(text).replace(INVISIBLE, '').normalize('NFKC'));
}

/**
 * The other reading of a text that hides characters: in the order it is stored, with each
 * invisible character as a space. An invisible character between two words shows them as one
 * ("A\uFEFFsnapchat"), yet a reader may still take them apart; null when the text hides nothing.
 */
export function storedView(text: string): string | null {
  if (!INVISIBLE_ONE.test(text)) return null;
  return asciiDigits(text.replace(INVISIBLE, ' ').normalize('NFKC'));
}

/** The reader's view with look-alike letters as Latin ones: "јаnе@gmаil.соm" is "jane@gmail.com". */
export function skeleton(view: string): string {
  return removeConfusables(view);
}

/** The original text with every invisible character shown by its code point, for the review queue. */
export function showInvisible(text: string): string {
  return text.replace(INVISIBLE, (char) => `⟨U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}⟩`);
}
