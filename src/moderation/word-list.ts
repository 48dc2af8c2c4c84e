/**
 * The word list of MODERATION_WORDS_FILE: one word or phrase a line; blank lines and lines
 * starting with `#` are ignored. Matched on whole words, case- and accent-insensitively, so a
 * short word inside a longer one ("Scunthorpe") is never a match. Pure.
 */
import { words } from './normalize.js';

/** Entries of a list, each as its folded words, indexed by first word. */
export interface WordList {
  readonly byFirstWord: ReadonlyMap<string, readonly (readonly string[])[]>;
  readonly size: number;
}

/** Parses the text of a word list file. */
export function parseWordList(text: string): WordList {
  const byFirstWord = new Map<string, string[][]>();
  let size = 0;
  for (const line of text.split(/\r?\n/)) {
    if (line.trimStart().startsWith('#')) continue;
    const entry = words(line);
    const first = entry[0];
    if (first === undefined) continue;
    const list = byFirstWord.get(first) ?? [];
    list.push(entry);
    byFirstWord.set(first, list);
    size += 1;
  }
  return { byFirstWord, size };
}

/** The first entry of `list` found in `text` (as the list spells it once folded), or null. */
export function findListedWord(list: WordList, text: string): string | null {
  if (list.size === 0) return null;
  const found = words(text);
  for (let i = 0; i < found.length; i += 1) {
    const candidates = list.byFirstWord.get(found[i] as string);
    if (!candidates) continue;
    for (const entry of candidates) {
      if (entry.every((word, k) => found[i + k] === word)) return entry.join(' ');
    }
  }
  return null;
}

/** One list with the entries of both. */
export function mergeWordLists(first: WordList, second: WordList): WordList {
  const byFirstWord = new Map<string, (readonly string[])[]>();
  for (const list of [first, second]) {
    for (const [word, entries] of list.byFirstWord) byFirstWord.set(word, [...(byFirstWord.get(word) ?? []), ...entries]);
  }
  return { byFirstWord, size: first.size + second.size };
}

/** A phrase as the list keys it: its folded words, one space apart ("Our  LITTLE secret" → "our little secret"). */
export function phraseKey(phrase: string): string {
  return words(phrase).join(' ');
}

/** The phrases of a word list file, keyed (comments and blank lines left out). */
export function phrasesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .map(phraseKey)
    .filter((phrase) => phrase !== '');
}

/** The list the filter applies: the given phrases, with the coordinators' changes on top (the last change of a phrase wins). */
export function composeWordList(base: readonly string[], changes: ReadonlyArray<{ phrase: string; listed: boolean }>): { list: WordList; phrases: string[] } {
  const phrases = new Set(base);
  for (const change of changes) {
    if (change.listed) phrases.add(change.phrase);
    else phrases.delete(change.phrase);
  }
  return { list: parseWordList([...phrases].join('\n')), phrases: [...phrases] };
}
