/**
 * Properties of the moderation filter (src/moderation/) over generated hostile messages of
 * up to the 5000 code points a message may have: it never throws and answers one of its
 * rules; a planted email, spelt-out email or listed word is held however it is padded with
 * whitespace runs and hostile text around it; innocent words separated by any whitespace pass.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findContact } from '../src/moderation/contacts.js';
import { createFilter, FILTER_RULES, parseWordList } from '../src/moderation/filter.js';
import { hostileText, whitespaceRun } from './helpers/attacker-text.js';

const COUNTRIES = ['GB', 'US', 'IN', 'DE'] as const;
const LISTED = ['snapchat', 'kill yourself', 'café secret'];
const filter = createFilter({ words: parseWordList(LISTED.join('\n')), phoneCountries: COUNTRIES });

// Whitespace as JavaScript's \s knows it (the filter's patterns use \s), in runs up to 3000 long.
const JS_SPACE = fc.constantFrom(' ', '\t', '\n', '\u00A0', '\u2003', '\u3000', '\uFEFF', '\u2028');
const gap = whitespaceRun(3000, JS_SPACE);
const label = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 2, maxLength: 12 });
const tld = fc.constantFrom('com', 'org', 'net', 'io', 'co.uk', 'de');
/** Surroundings that end in whitespace on the side of what is planted, so they cannot join it. */
const before = fc.tuple(hostileText({ maxPieces: 10, maxRun: 500 }), gap).map(([text, space]) => text + space);
const after = fc.tuple(gap, hostileText({ maxPieces: 10, maxRun: 500 })).map(([space, text]) => space + text);
const RUNS = { numRuns: 60 };

describe('moderation filter (property)', () => {
  it('never throws on hostile text and answers null or one of its rules with the text that matched', () => {
    fc.assert(
      fc.property(hostileText({ maxPieces: 40, maxRun: 3000 }), (text) => {
        const content = Array.from(text).slice(0, 5000).join('');
        const match = filter.check(content);
        if (match === null) return;
        assert.ok(FILTER_RULES.includes(match.rule), match.rule);
        assert.ok(match.text.length > 0);
        assert.deepEqual(filter.check(content), match, 'the same answer twice');
      }),
      RUNS,
    );
  });

  it('holds a planted email address, whatever surrounds it', () => {
    fc.assert(
      fc.property(before, label, label, tld, after, (head, local, domain, top, tail) => {
        const match = filter.check(`${head}${local}@${domain}.${top}${tail}`);
        assert.ok(match !== null && (match.rule === 'email' || match.rule === 'link'), JSON.stringify(match));
      }),
      RUNS,
    );
  });

  it('holds an email spelt out with bracketed or bare at/dot and any whitespace between the parts', () => {
    const at = fc.constantFrom('[at]', '(at)', '{at}', '<at>', '[AT]', '( at )', '[@]');
    const dot = fc.constantFrom('[dot]', '(dot)', '{dot}', '<dot>', '(DOT)', '[ . ]');
    const spaces = fc.option(gap, { nil: '' });
    fc.assert(
      fc.property(
        before,
        label,
        spaces,
        at,
        spaces,
        label,
        spaces,
        dot,
        spaces,
        fc.constantFrom('com', 'org', 'net'),
        after,
        (head, local, s1, atWord, s2, domain, s3, dotWord, s4, top, tail) => {
          const spelt = `${local}${s1}${atWord}${s2}${domain}${s3}${dotWord}${s4}${top}`;
          const found = findContact(`${head}${spelt}${tail}`, COUNTRIES);
          assert.ok(found !== null, JSON.stringify(spelt));
          // Held as the email it spells (not merely as the link its domain makes), unless what
          // surrounds it holds a contact of its own, found first.
          const surroundingsClean = findContact(head, COUNTRIES) === null && findContact(tail, COUNTRIES) === null;
          if (surroundingsClean) assert.equal(found.rule, 'email', JSON.stringify(spelt));
        },
      ),
      RUNS,
    );
  });

  it('holds a listed word in any case, between any whitespace', () => {
    fc.assert(
      fc.property(before, fc.constantFrom(...LISTED), fc.boolean(), after, (head, word, upper, tail) => {
        const written = upper ? word.toUpperCase() : word;
        const match = filter.check(`${head}${written.replace(' ', ' \u3000 ')}${tail}`);
        assert.ok(match !== null, written);
      }),
      RUNS,
    );
  });

  it('lets innocent words pass, however long the whitespace between them', () => {
    const word = fc.constantFrom('hello', 'how', 'is', 'your', 'project', 'going', 'maths', 'homework', 'tomorrow', 'great', 'thanks', 'see', 'you');
    fc.assert(
      fc.property(fc.array(fc.tuple(word, gap), { minLength: 1, maxLength: 12 }), (pairs) => {
        const text = pairs.map(([w, space]) => w + space).join('');
        assert.equal(filter.check(Array.from(text).slice(0, 5000).join('')), null);
      }),
      RUNS,
    );
  });
});
