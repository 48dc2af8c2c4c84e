/**
 * The message filter of policy `moderated` (PROTOCOL.md Part 7): decides, before a message
 * reaches anyone, whether it must be held for review. It matches what the reader sees
 * (`reader-view.ts`): contact details (`contacts.ts`), phone numbers by shape and spelt out
 * (`phone-shape.ts`, `number-words.ts`), handles and invitations to move off the platform
 * (`handles.ts`), home addresses (`addresses.ts`) and the words of the lists (`word-list.ts`:
 * Tandem's safeguarding list and MODERATION_WORDS_FILE). A detail split over a sender's last
 * few messages is held when the message that completes it arrives (`recent.ts`).
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { findAddress } from './addresses.js';
import type { FilterRule } from '../protocol/frames.js';
import { findContact, findPhone } from './contacts.js';
import { findHandle } from './handles.js';
import { fold } from './normalize.js';
import { spelledDigits } from './number-words.js';
import { findPhoneShape } from './phone-shape.js';
import { readerView, skeleton, storedView } from './reader-view.js';
import { MAX_PART_LENGTH, RecentMessages, type SenderKey } from './recent.js';
import { SAFEGUARDING_WORDS_TEXT } from './safeguarding-words.js';
import { findListedWord, mergeWordLists, parseWordList, type WordList } from './word-list.js';

export type { CountryCode } from 'libphonenumber-js/max';
export { composeWordList, parseWordList, phrasesOf, type WordList } from './word-list.js';
export { SAFEGUARDING_WORDS_TEXT } from './safeguarding-words.js';
export { showInvisible } from './reader-view.js';

/** Which rule held a message (a kind of contact detail, a move off the platform, an address, a listed word): wire names. */
export { FILTER_RULES, type FilterRule } from '../protocol/frames.js';

/** Why a message is held: the rule, and the text that matched as the filter read it. */
export interface FilterMatch {
  rule: FilterRule;
  text: string;
}

export interface FilterOptions {
  /** The programme's own list (MODERATION_WORDS_FILE); Tandem's safeguarding list is always added. */
  words: WordList;
  /** Countries whose national formats count as phone numbers, tried in order; they also choose the address forms. */
  phoneCountries: readonly CountryCode[];
}

/** A filter: `check` answers the first rule a message matches, or null when it may pass. */
export interface MessageFilter {
  /** `sender`: whose message in which pair, so that a detail split over messages is seen whole. */
  check(content: string, sender?: SenderKey): FilterMatch | null;
  /** Replaces the whole word list (Tandem's, the file's and the coordinators' changes, composed): from the next message on. */
  setWords(list: WordList): void;
}

/** Tandem's safeguarding list (secrecy, meeting alone, moving off the platform, photos): see the file. */
export const SAFEGUARDING_WORDS: WordList = parseWordList(SAFEGUARDING_WORDS_TEXT);

export function createFilter(options: FilterOptions): MessageFilter {
  const countries = [...options.phoneCountries];
  let words = mergeWordLists(SAFEGUARDING_WORDS, options.words);
  const recent = new RecentMessages();
  // Parts joined are checked without the phone metadata and without looking for links (the
  // costliest steps): the shape rule sees a number typed in pieces, and an address split at
  // its `@` still has one.
  const matchView = (view: string, joined: boolean): FilterMatch | null => {
    const seen = skeleton(view);
    const folded = fold(seen);
    // The phone number's shape first (a scan), then the metadata (the costliest step), which
    // parts joined do without: the shape sees a number typed in pieces.
    return (
      findContact(seen, [], { emailsOnly: joined }) ??
      phoneOf(folded) ??
      (joined ? null : findPhone(seen, countries)) ??
      findHandle(folded) ??
      addressOf(folded, countries) ??
      wordOf(words, folded)
    );
  };
  // A text that hides characters is read both ways: as shown, and as stored with the hidden ones as spaces.
  const matchOne = (content: string, joined = false): FilterMatch | null => {
    const stored = storedView(content);
    return matchView(readerView(content), joined) ?? (stored === null ? null : matchView(stored, joined));
  };
  return {
    setWords(list) {
      words = list;
    },
    check(content, sender) {
      const alone = matchOne(content);
      if (!sender) return alone;
      if (alone) {
        recent.forget(sender);
        return alone;
      }
      // Split over messages: the earlier parts passed; together with this one they may not. A
      // match the earlier parts make on their own (the list changed since) is not this message's.
      const earlier = content.length > MAX_PART_LENGTH ? [] : recent.of(sender);
      const together = earlier.length === 0 ? null : matchOne([...earlier, content].join(' '), true);
      if (together !== null && matchOne(earlier.join(' '), true) === null) {
        recent.forget(sender);
        return together;
      }
      recent.add(sender, content);
      return null;
    },
  };
}

function phoneOf(folded: string): FilterMatch | null {
  const shaped = findPhoneShape(spelledDigits(folded));
  return shaped === null ? null : { rule: 'phone', text: shaped };
}

function addressOf(folded: string, countries: readonly string[]): FilterMatch | null {
  const address = findAddress(folded, countries);
  return address === null ? null : { rule: 'address', text: address };
}

function wordOf(words: WordList, folded: string): FilterMatch | null {
  const word = findListedWord(words, folded);
  return word === null ? null : { rule: 'word', text: word };
}
