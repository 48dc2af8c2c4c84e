/**
 * Where someone lives: a UK postcode (for GB among the phone countries), a US ZIP code with a
 * street (for US), and in any country a house number before a street name and a street word
 * ("12 Oak Road", "221b baker street"). Walking "5 miles down the road" passes: the words
 * between the number and the street word must be a name, and the street word one that is not
 * also an everyday word. Works on the folded skeleton; pure.
 */

const UK_POSTCODE = /(?<![a-z0-9])[a-z]{1,2}\d[a-z\d]? ?\d[abd-hjlnp-uw-z]{2}(?![a-z0-9])/;
const US_ZIP = /(?<![\d-])\d{5}(?:-\d{4})?(?![\d-])/;
/** Street words that are not also everyday words ("way", "close", "walk" and "row" are left out). */
const STREET_WORDS = new Set([
  'street',
  'st',
  'road',
  'rd',
  'avenue',
  'ave',
  'lane',
  'ln',
  'drive',
  'boulevard',
  'blvd',
  'terrace',
  'crescent',
  'gardens',
  'mews',
  'strasse',
  'straße',
  'marg',
  'nagar',
]);
/** Words that never name a street: what stands between a distance and "the road". */
const NOT_A_NAME = new Set([
  'the',
  'a',
  'an',
  'down',
  'up',
  'along',
  'on',
  'of',
  'to',
  'my',
  'our',
  'your',
  'this',
  'that',
  'and',
  'or',
  'in',
  'at',
  'miles',
  'mile',
  'km',
  'kilometres',
  'kilometers',
  'minutes',
  'mins',
  'min',
  'hours',
  'hrs',
  'metres',
  'meters',
  'm',
  'times',
  'steps',
  'years',
  'days',
  'weeks',
  'points',
  'pages',
  'people',
  'more',
  'other',
  'last',
  'first',
  'next',
  'minute',
  'hour',
  'second',
  'day',
  'week',
  'month',
  'year',
  'km',
  'mi',
  'metre',
  'meter',
  'lap',
  'laps',
  'cars',
  'car',
  'bus',
  'buses',
  'lanes',
  'way',
  'from',
  'off',
  'across',
  'over',
  'by',
  'near',
]);
const WORD = /[a-z0-9ß]+/g;
/** Whether a street word appears at all (a cheap look before the words are read one by one). */
const ANY_STREET_WORD =
  /(?:street|st|road|rd|avenue|ave|lane|ln|drive|boulevard|blvd|terrace|crescent|gardens|mews|stra(?:ss|ß)e|str|weg|allee|platz|gasse|marg|nagar)\b/;

/** The first home address in `folded`, or null; `countries` as MODERATION_PHONE_COUNTRIES. */
export function findAddress(folded: string, countries: readonly string[]): string | null {
  // Every form has a digit: a house number, a postcode, a ZIP code.
  if (!/\d/.test(folded)) return null;
  if (countries.includes('GB')) {
    const postcode = UK_POSTCODE.exec(folded);
    if (postcode) return postcode[0];
  }
  const street = findStreet(folded);
  if (street !== null) return street;
  if (countries.includes('US')) {
    const zip = US_ZIP.exec(folded);
    // A ZIP alone is any five-digit number; with a street word anywhere it is an address.
    if (zip && (folded.match(WORD) ?? []).some((word) => STREET_WORDS.has(word))) return zip[0];
  }
  return null;
}

/** A house number, one to three words of a name, a street word; or a street word then a number (Hauptstraße 5). */
function findStreet(folded: string): string | null {
  if (!ANY_STREET_WORD.test(folded)) return null;
  const words = folded.match(WORD) ?? [];
  for (let i = 0; i < words.length; i += 1) {
    if (!STREET_WORDS.has(words[i]!)) continue;
    for (let span = 1; span <= 3 && i - span - 1 >= 0; span += 1) {
      const number = words[i - span - 1]!;
      const name = words.slice(i - span, i);
      if (/^\d{1,5}[a-z]?$/.test(number) && name.every((word) => !NOT_A_NAME.has(word) && !/^\d+$/.test(word))) {
        return [number, ...name, words[i]].join(' ');
      }
    }
  }
  // German order, the street word ending a compound: "hauptstrasse 5".
  for (const [index, word] of words.entries()) {
    const next = words[index + 1];
    if (next !== undefined && /^\d{1,4}[a-z]?$/.test(next) && /(strasse|straße|str|weg|allee|platz|gasse)$/.test(word) && word.length > 5)
      return `${word} ${next}`;
  }
  return null;
}
