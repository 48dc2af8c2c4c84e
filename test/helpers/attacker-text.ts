/**
 * fast-check generators of the text an attacker sends: long runs of every kind of whitespace,
 * characters of every Unicode general category, lone surrogates, NUL and other controls,
 * format and bidi characters, emoji and combining marks, in any mix. Shared by the property
 * tests; independent of the code under test.
 */
import fc from 'fast-check';

/** Every character for which Python's `str.isspace()` is true (CPython 3.11, Unicode 14). */
export const PY_WHITESPACE = [
  '\t',
  '\n',
  '\x0B',
  '\f',
  '\r',
  '\x1C',
  '\x1D',
  '\x1E',
  '\x1F',
  ' ',
  '\x85',
  '\xA0',
  '\u1680',
  '\u2000',
  '\u2001',
  '\u2002',
  '\u2003',
  '\u2004',
  '\u2005',
  '\u2006',
  '\u2007',
  '\u2008',
  '\u2009',
  '\u200A',
  '\u2028',
  '\u2029',
  '\u202F',
  '\u205F',
  '\u3000',
] as const;

/** Characters that look like whitespace or nothing to someone, but that Python does not strip. */
export const NOT_PY_WHITESPACE = [
  '\uFEFF',
  '\u180E',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\u00AD',
  '\u034F',
  '\u3164',
  '\u2800',
  '\uFFA0',
  '\u115F',
  '\uFE0F',
] as const;

export const BIDI_CONTROLS = ['\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F', '\u061C'] as const;

/** What filters and parsers trip on. */
const TRICKY = [
  '\0',
  '\x07',
  '\x1B',
  '\x7F',
  '\x80',
  '\x9F',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\uFFFD',
  '\uFFFF',
  '😀',
  '👩\u200D💻',
  '🇬🇧',
  '\u0301',
  'e\u0301',
  'İ',
  'ß',
  'ẞ',
  'ǅ',
  'Ⅻ',
  '٣',
  '\u{E0001}',
  '\u{E0100}',
  '\u{10FFFF}',
  '@',
  '.',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '+',
  '-',
  '_',
  '%',
  '/',
  ':',
  '"',
  '\\',
  'at',
  'dot',
  'AT',
  'DOT',
  'com',
  'www.',
  'http://',
  '+44',
  '07700 900123',
] as const;

const GENERAL_CATEGORIES = [
  'Lu',
  'Ll',
  'Lt',
  'Lm',
  'Lo',
  'Mn',
  'Mc',
  'Me',
  'Nd',
  'Nl',
  'No',
  'Pc',
  'Pd',
  'Ps',
  'Pe',
  'Pi',
  'Pf',
  'Po',
  'Sm',
  'Sc',
  'Sk',
  'So',
  'Zs',
  'Zl',
  'Zp',
  'Cc',
  'Cf',
  'Cs',
  'Co',
  'Cn',
] as const;

/** Up to 512 code points of each general category, taken across the Basic Multilingual Plane. */
const BY_CATEGORY: ReadonlyMap<string, readonly number[]> = (() => {
  const tests = GENERAL_CATEGORIES.map((category) => [category, new RegExp(`^\\p{gc=${category}}$`, 'u')] as const);
  const found = new Map<string, number[]>(GENERAL_CATEGORIES.map((category) => [category, []]));
  for (let codePoint = 0; codePoint <= 0xffff; codePoint += 1) {
    const char = String.fromCharCode(codePoint);
    const category = tests.find(([, test]) => test.test(char))?.[0];
    const list = category === undefined ? undefined : found.get(category);
    // Every 7th beyond the first 64 keeps the sample spread over the plane.
    if (list && (list.length < 64 || (codePoint % 7 === 0 && list.length < 512))) list.push(codePoint);
  }
  return found;
})();

/** Any code point from U+0000 to U+10FFFF, lone surrogate halves included. */
export const anyCodePoint = fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint));

/** A character of a general category drawn first, so that rare categories come up as often as letters. */
export const categoryChar = fc
  .constantFrom(...GENERAL_CATEGORIES)
  .chain((category) => fc.constantFrom(...BY_CATEGORY.get(category)!))
  .map((codePoint) => String.fromCharCode(codePoint));

export const pyWhitespace = fc.constantFrom(...PY_WHITESPACE);

/** Any C0 or C1 control, DEL included. */
export const controlChar = fc.oneof(fc.integer({ min: 0, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })).map((code) => String.fromCharCode(code));

/** One hostile character (or short sequence). */
export const hostileChar = fc.oneof(
  { arbitrary: pyWhitespace, weight: 3 },
  { arbitrary: fc.constantFrom(...NOT_PY_WHITESPACE, ...BIDI_CONTROLS), weight: 2 },
  { arbitrary: fc.constantFrom(...TRICKY), weight: 2 },
  { arbitrary: controlChar, weight: 1 },
  { arbitrary: categoryChar, weight: 3 },
  { arbitrary: anyCodePoint, weight: 1 },
  { arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }), weight: 3 },
);

/** A run of one whitespace character, or of a mix of them, up to `maxRun` long. */
export function whitespaceRun(maxRun: number, kinds: fc.Arbitrary<string> = pyWhitespace): fc.Arbitrary<string> {
  return fc.oneof(
    fc.tuple(kinds, fc.integer({ min: 1, max: maxRun })).map(([space, count]) => space.repeat(count)),
    fc
      .array(kinds, { minLength: 1, maxLength: Math.min(maxRun, 64) })
      .chain((mix) => fc.integer({ min: 1, max: Math.max(1, Math.floor(maxRun / mix.length)) }).map((times) => mix.join('').repeat(times))),
  );
}

/** Text of hostile characters and whitespace runs (each run at most `maxRun`), in any order. */
export function hostileText({ maxPieces = 24, maxRun = 2000 }: { maxPieces?: number; maxRun?: number } = {}): fc.Arbitrary<string> {
  return fc
    .array(fc.oneof({ arbitrary: hostileChar, weight: 3 }, { arbitrary: whitespaceRun(maxRun), weight: 1 }), { maxLength: maxPieces })
    .map((pieces) => pieces.join(''));
}

/** Values a JSON field may hold instead of the string it should: numbers beyond every range, nesting, nothing. */
export const oddJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -0, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, -1, 1.5, [], {}, [''], { '': '' }),
  fc.integer(),
  fc.double(),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map((big) => JSON.parse(big.toString()) as number),
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 2000 }).map((depth) => nested(depth)),
);

/** `[[[…["x"]…]]]`, `depth` deep. */
export function nested(depth: number): unknown {
  return JSON.parse(`${'['.repeat(depth)}"x"${']'.repeat(depth)}`);
}

/** JSON text nested `depth` deep, for where no object is built: `{"a":{"a":…}}`. */
export function nestedJsonText(depth: number): string {
  return `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;
}
