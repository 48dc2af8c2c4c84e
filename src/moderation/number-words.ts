/**
 * Numbers spelt out in words, as digits: "oh seven nine one one, one two three four five six"
 * is 07911123456 to the phone rule, and so is "07911 one two three four five six". English
 * first; a language is one table of words. Pure, one pass over the words.
 */

const DIGITS: Record<string, string> = {
  zero: '0',
  nought: '0',
  nil: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  ten: '10',
  eleven: '11',
  twelve: '12',
  thirteen: '13',
  fourteen: '14',
  fifteen: '15',
  sixteen: '16',
  seventeen: '17',
  eighteen: '18',
  nineteen: '19',
};
const TENS: Record<string, string> = { twenty: '2', thirty: '3', forty: '4', fifty: '5', sixty: '6', seventy: '7', eighty: '8', ninety: '9' };
/** Zero as people say it in a number ("oh seven"), only between other numbers. */
const OH = new Set(['oh', 'o']);
const REPEAT: Record<string, number> = { double: 2, triple: 3 };
/** What may stand between the words of one number. */
const JOINER = /^[\s,.\-/]*$/;
const TOKEN = /[a-z]+|\d+|[^a-z\d]+/g;
/** Whether a text has a number word at all: most have none, and need no closer look. */
const ANY_NUMBER_WORD =
  /(?:zero|nought|nil|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|double|triple|\boh?\b)/;

/** The digits of a number word, or null; `inRun` lets "oh" count as zero. */
function digitsOf(word: string, inRun: boolean): string | null {
  if (/^\d+$/.test(word)) return word;
  return DIGITS[word] ?? (inRun && OH.has(word) ? '0' : null);
}

/**
 * `text` (lower case) with every run of two or more number words — or number words mixed
 * with digits — replaced by its digits run together. Runs of digits alone are left as they are.
 */
export function spelledDigits(text: string): string {
  if (!ANY_NUMBER_WORD.test(text)) return text;
  const tokens = text.match(TOKEN) ?? [];
  let out = '';
  let i = 0;
  while (i < tokens.length) {
    const run = readRun(tokens, i);
    if (run.words >= 1 && run.parts >= 2) {
      out += run.digits;
      i = run.end;
    } else {
      out += tokens[i];
      i += 1;
    }
  }
  return out;
}

/** The number that starts at token `start`: its digits, how many parts and words it has, and where it ends. */
function readRun(tokens: readonly string[], start: number): { digits: string; parts: number; words: number; end: number } {
  let digits = '';
  let parts = 0;
  let words = 0;
  let i = start;
  let end = start;
  while (i < tokens.length) {
    const token = tokens[i]!;
    const repeat = REPEAT[token];
    let value: string | null = null;
    let used = 1;
    if (repeat !== undefined) {
      const next = nextWord(tokens, i);
      const single = next === null ? null : digitsOf(tokens[next]!, true);
      if (next !== null && single !== null && single.length === 1) {
        value = single.repeat(repeat);
        used = next - i + 1;
      }
    } else if (TENS[token] !== undefined) {
      value = TENS[token]!;
      const next = nextWord(tokens, i);
      const unit = next === null ? undefined : DIGITS[tokens[next]!];
      if (next !== null && unit !== undefined && unit.length === 1 && unit !== '0') {
        value += unit;
        used = next - i + 1;
      } else {
        value += '0';
      }
    } else {
      value = digitsOf(token, parts > 0 || isNumberAhead(tokens, i));
    }
    if (value === null) break;
    digits += value;
    parts += 1;
    if (!/^\d+$/.test(token)) words += 1;
    i += used;
    end = i;
    // Past a joiner, the run goes on only if a number follows.
    if (i < tokens.length && JOINER.test(tokens[i]!) && i + 1 < tokens.length) i += 1;
    else break;
  }
  return { digits, parts, words, end };
}

/** The index of the word after token `i`, across one joiner; null when none. */
function nextWord(tokens: readonly string[], i: number): number | null {
  const next = i + 1 < tokens.length && JOINER.test(tokens[i + 1]!) ? i + 2 : i + 1;
  return next < tokens.length ? next : null;
}

/** Whether a number word follows token `i` ("oh" is zero only then, or after one). */
function isNumberAhead(tokens: readonly string[], i: number): boolean {
  const next = nextWord(tokens, i);
  return next !== null && (digitsOf(tokens[next]!, false) !== null || TENS[tokens[next]!] !== undefined || REPEAT[tokens[next]!] !== undefined);
}
