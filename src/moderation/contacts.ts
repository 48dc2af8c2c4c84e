/**
 * Contact details in a message: email addresses, links and phone numbers, also when spelt
 * out to slip past a filter ("jo at mail dot com", "jo [at] mail [dot] com",
 * "example dot com"). Links and emails are found by linkifyjs (its list of top-level domains
 * decides what is a host); phone numbers by libphonenumber-js with its full metadata, so a
 * number must be a valid one of some default country, not merely a run of digits. Pure.
 */
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import * as linkify from 'linkifyjs';
import { isOtherNumber } from './phone-shape.js';

export type ContactRule = 'email' | 'link' | 'phone';

/** What was found: the rule and the text that matched, as written. */
export interface ContactMatch {
  rule: ContactRule;
  text: string;
}

// The words people put between the parts of an address instead of "@" and ".": bracketed
// anywhere, or bare between words. The whitespace before a bracket is taken only from the
// start of its run (`(?<!\s)`): a leading `\s*` would be tried from every space of a long
// run without a bracket after it, quadratic in the run's length. The matches are the same,
// since a search never starts inside a run (each match ends with all the whitespace after it).
const BRACKETED_AT = /(?:(?<!\s)\s+)?[([{<]\s*(?:at|@)\s*[)\]}>]\s*/giu;
const BRACKETED_DOT = /(?:(?<!\s)\s+)?[([{<]\s*(?:dot|\.)\s*[)\]}>]\s*/giu;
const BARE_AT = /(?<=[\p{L}\p{N}._%+-])\s+at\s+(?=[\p{L}\p{N}])/giu;
const BARE_DOT = /(?<=[\p{L}\p{N}])\s+dot\s+(?=[\p{L}\p{N}])/giu;
const SPACED_AT = /(?<=[\p{L}\p{N}])\s*@\s*(?=[\p{L}\p{N}])/gu;
const SPACED_DOT = /(?<=[\p{L}\p{N}])\s+\.\s+(?=[\p{L}\p{N}])/gu;
// A bare " dot " makes a link only before a common top-level domain: "the dot is red" must
// not become the host "the.is".
const BARE_DOT_BEFORE_TLD = /(?<=[\p{L}\p{N}])\s+dot\s+(?=(?:com|net|org|info|biz|co|uk|io|me|app|dev|us|in|de|tv|gg|ly|xyz)\b)/giu;

// Fewer digits than this is a time, a price, a year or a score, not a phone number: the
// shortest numbers of the usual formats (UK, US, India, Germany) have ten with their prefix.
const MIN_PHONE_DIGITS = 9;
/** Candidate numbers libphonenumber tries in one message, per country: far more than a message of contact details holds. */
const MAX_PHONE_TRIES = 50;

/** The first contact detail in `text`, or null. `countries` are tried in order for national formats. */
export function findContact(text: string, countries: readonly CountryCode[], options: { emailsOnly?: boolean } = {}): ContactMatch | null {
  // Each finder runs only when the text has what it looks for: most messages have none of it.
  // A link has a dot in its host, or a scheme ("http://intranet"); an address has its @.
  const dotted = options.emailsOnly ? text.includes('@') : /[@.]/.test(text) || text.includes('://');
  // Spelt out, an address needs an "at" and a "dot" (or their signs); a link needs a "dot".
  const at = text.includes('@') || /\bat\b/i.test(text);
  const dot = /\bdot\b/i.test(text);
  return (
    (dotted ? findLinkOrEmail(text) : null) ??
    (at && (dot || text.includes('.')) ? findSpeltOut(text, 'email') : null) ??
    (dot && !options.emailsOnly ? findSpeltOut(text, 'url') : null) ??
    findPhone(text, countries)
  );
}

function findLinkOrEmail(text: string): ContactMatch | null {
  for (const found of linkify.find(text)) {
    if (found.type === 'email') return { rule: 'email', text: found.value };
    if (found.type === 'url') return { rule: 'link', text: found.value };
  }
  return null;
}

function findSpeltOut(text: string, kind: 'email' | 'url'): ContactMatch | null {
  const bracketed = text.replace(BRACKETED_AT, '@').replace(BRACKETED_DOT, '.');
  if (kind === 'email') {
    const email = linkify.find(bracketed.replace(BARE_AT, '@').replace(BARE_DOT, '.').replace(SPACED_AT, '@').replace(SPACED_DOT, '.'), 'email')[0];
    return email ? { rule: 'email', text: email.value } : null;
  }
  const link = linkify.find(bracketed.replace(BARE_DOT_BEFORE_TLD, '.'), 'url')[0];
  return link ? { rule: 'link', text: link.value } : null;
}

/** A phone number valid in one of `countries` (libphonenumber's metadata), or null. */
export function findPhone(text: string, countries: readonly CountryCode[]): ContactMatch | null {
  if (countries.length === 0 || countDigits(text) < MIN_PHONE_DIGITS) return null;
  // libphonenumber-js's matcher takes `maxTries` (its PhoneNumberMatcher option) though its
  // types leave it out: a message of thousands of digit runs must not hold the event loop.
  const bounded = (defaultCountry: CountryCode) => ({ defaultCountry, maxTries: MAX_PHONE_TRIES }) as { defaultCountry: CountryCode };
  for (const defaultCountry of countries) {
    for (const found of findPhoneNumbersInText(text, bounded(defaultCountry))) {
      const written = text.slice(found.startsAt, found.endsAt);
      if (countDigits(written) >= MIN_PHONE_DIGITS && !isOtherNumber(written, text.slice(Math.max(0, found.startsAt - 12), found.startsAt))) {
        return { rule: 'phone', text: written };
      }
    }
  }
  return null;
}

function countDigits(text: string): number {
  let count = 0;
  for (const char of text) if (char >= '0' && char <= '9') count += 1;
  return count;
}
