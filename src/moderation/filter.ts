/**
 * The message filter of policy `moderated` (PROTOCOL.md Part 7): decides, before a message
 * reaches anyone, whether it must be held for review. Pure: the word list and the countries
 * are given, nothing is read or written.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { findContact, type ContactRule } from './contacts.js';
import { findListedWord, type WordList } from './word-list.js';

export type { CountryCode } from 'libphonenumber-js/max';
export { parseWordList, type WordList } from './word-list.js';

/** Which rule held a message: a kind of contact detail, or a word of the list. */
export type FilterRule = ContactRule | 'word';
export const FILTER_RULES: readonly FilterRule[] = ['email', 'phone', 'link', 'word'];

/** Why a message is held: the rule and the text that matched it. */
export interface FilterMatch {
  rule: FilterRule;
  text: string;
}

export interface FilterOptions {
  words: WordList;
  /** Countries whose national formats count as phone numbers, tried in order. */
  phoneCountries: readonly CountryCode[];
}

/** A filter: `check` answers the first rule a message matches, or null when it may pass. */
export interface MessageFilter {
  check(content: string): FilterMatch | null;
}

export function createFilter(options: FilterOptions): MessageFilter {
  const countries = [...options.phoneCountries];
  return {
    check(content) {
      const contact = findContact(content, countries);
      if (contact) return contact;
      const word = findListedWord(options.words, content);
      return word === null ? null : { rule: 'word', text: word };
    },
  };
}
