/**
 * Phone numbers by their shape: a run of digits with the separators people put in numbers,
 * long enough to be one, is a number whether or not some country's metadata calls it valid
 * (new ranges, typos, drama numbers, deliberate mangling). What is shaped like a number but is
 * not one passes: dates, times, prices, scores and ranges are too short; runs of 16 digits
 * and more are card or order numbers; a decimal, an IP or version number, a date range and an
 * ISBN are recognised. A scan, not a regular expression: one pass, whatever the text.
 */

/** Digits a number has at least: 9 after a `+`, `0` or `(` (a prefix), else 10. */
const MIN_WITH_PREFIX = 9;
const MIN_PLAIN = 10;
/** E.164's longest number. */
const MAX_DIGITS = 15;
const SEPARATORS = new Set([' ', '-', '.', '(', ')', '/', '\u00a0']);
/** Separators in a row between two digits ("0) 79", " - "). */
const MAX_GAP = 3;

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';

/** The first run in `text` shaped like a phone number, as written; null when none. */
export function findPhoneShape(text: string): string | null {
  let i = 0;
  while (i < text.length) {
    const startsRun = isDigit(text[i]) || ((text[i] === '+' || text[i] === '(') && isDigit(text[i + 1]));
    // A run starts at a word boundary: "abc123…" is a code, not a number.
    if (!startsRun || (i > 0 && /[\p{L}\p{N}_]/u.test(text[i - 1]!))) {
      i += 1;
      continue;
    }
    const end = runEnd(text, i);
    const run = text.slice(i, end);
    if (isPhoneShaped(run, text.slice(Math.max(0, i - 12), i))) return run;
    const inside = prefixedNumberIn(run);
    if (inside !== null) return inside;
    i = Math.max(end, i + 1);
  }
  return null;
}

/** Where the run starting at `start` ends: after its last digit (or closing parenthesis). */
function runEnd(text: string, start: number): number {
  let end = start + 1;
  let i = start + 1;
  let gap = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (isDigit(char)) {
      gap = 0;
      end = i + 1;
    } else if (SEPARATORS.has(char) && gap < MAX_GAP) {
      gap += 1;
      if (char === ')') end = i + 1;
    } else {
      break;
    }
    i += 1;
  }
  return end;
}

/**
 * A number with its prefix inside a run too long to be one ("07911 123456 07911 123456"): the
 * groups from one that starts with 0 or + up to 15 digits. Only runs past 15 digits are looked
 * into, so a card number (no group starts with 0) and an ISBN (13 digits) still pass.
 */
function prefixedNumberIn(run: string): string | null {
  if (run.replace(/\D/g, '').length <= MAX_DIGITS) return null;
  const groups = [...run.matchAll(/\+?\d+/g)];
  for (let start = 0; start < groups.length; start += 1) {
    const first = groups[start]![0];
    if (first[0] !== '0' && first[0] !== '+') continue;
    let digits = 0;
    for (let end = start; end < groups.length; end += 1) {
      digits += groups[end]![0].replace('+', '').length;
      if (digits > MAX_DIGITS) break;
      if (digits >= MIN_WITH_PREFIX) return run.slice(groups[start]!.index, groups[end]!.index + groups[end]![0].length);
    }
  }
  return null;
}

function isPhoneShaped(run: string, before: string): boolean {
  const digits = run.replace(/\D/g, '');
  const prefixed = run[0] === '+' || run[0] === '(' || digits[0] === '0';
  if (digits.length < (prefixed ? MIN_WITH_PREFIX : MIN_PLAIN) || digits.length > MAX_DIGITS) return false;
  return !isOtherNumber(run, before);
}

/**
 * A number of another kind, whatever a country's metadata says of its digits: a decimal, an
 * IP or version number, a date or a range of dates, an ISBN. `before`: the text just before it.
 */
export function isOtherNumber(run: string, before = ''): boolean {
  const digits = run.replace(/\D/g, '');
  const groups = run.split(/[^\d]+/).filter((group) => group !== '');
  const separators = run.replace(/[\d\s]/g, '');
  // 3.14159265358: one dot, a short whole part.
  if (separators === '.' && groups.length === 2 && groups[0]!.length <= 3 && run[0] !== '0') return true;
  // 192.168.100.200, 10.15.7.2.1: dots only, short groups.
  if (/^\.{3,}$/.test(separators) && groups.every((group) => group.length <= 3)) return true;
  // 1/5/2024-3/5/2024: a date, or a range of them; 2025-05-12 10:30: a date and a time.
  if ((separators.match(/\//g)?.length ?? 0) >= 2) return true;
  if (/^\d{4}-\d{1,2}-\d{1,2}(?!\d)/.test(run) || /^\d{1,2}[./-]\d{1,2}[./-]\d{4}(?!\d)/.test(run)) return true;
  return isIsbn(digits, run, before);
}

/** An ISBN: named as one, or 13 digits from 978/979 with its check digit, or 10 hyphenated in four groups with its own. */
function isIsbn(digits: string, run: string, before: string): boolean {
  if (/isbn[\s:-]*$/i.test(before)) return true;
  if (digits.length === 13 && /^97[89]/.test(digits)) {
    const sum = [...digits].reduce((total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 1 : 3), 0);
    return sum % 10 === 0;
  }
  if (digits.length === 10 && run.split('-').length === 4) {
    const sum = [...digits].reduce((total, digit, index) => total + Number(digit) * (10 - index), 0);
    return sum % 11 === 0;
  }
  return false;
}
