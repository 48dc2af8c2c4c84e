/**
 * Text folded for matching: lower case, accents taken off (NFKD then the combining marks
 * dropped), compatibility forms unified (full-width letters, ligatures). Pure.
 */
const COMBINING = /\p{M}+/gu;

/** `text` folded: "Ça VA" and "ça va" fold alike; so do "ｆｏｏ" and "foo". */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(COMBINING, '').toLowerCase();
}

/** The words of `text` once folded: runs of letters and digits, in order. */
export function words(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}
