/**
 * The filter's parts one by one (src/moderation/), each with the near misses that must pass:
 * the reader's view, numbers in words, phone numbers by shape, handles and invitations,
 * addresses, and messages split over several sends; and, for any text at all, no throw.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { findAddress } from '../src/moderation/addresses.js';
import { createFilter, parseWordList } from '../src/moderation/filter.js';
import { findHandle, PLATFORM_NAMES } from '../src/moderation/handles.js';
import { spelledDigits } from '../src/moderation/number-words.js';
import { findPhoneShape } from '../src/moderation/phone-shape.js';
import { readerView, showInvisible, skeleton } from '../src/moderation/reader-view.js';
import { RecentMessages } from '../src/moderation/recent.js';

describe("the reader's view", () => {
  it('shows what a reader sees', () => {
    assert.equal(readerView('\u202emoc.liamg@enaj\u202c is me'), 'jane@gmail.com is me', 'an override reversed, as shown');
    assert.equal(readerView('ja\u200bne@gm\u00adail.com'), 'jane@gmail.com', 'zero-width space and soft hyphen gone');
    assert.equal(readerView('\u0660\u0667\u0669\u0661\u0661 \u0967\u0968\u0969'), '07911 123', 'Arabic-Indic and Devanagari digits');
    assert.equal(readerView('\uff10\uff17\u{1d7d5}'), '077', 'full-width and mathematical digits');
    assert.equal(skeleton(readerView('јаnе@gmаil.соm')), 'jane@gmail.com', 'look-alike Cyrillic letters');
    assert.equal(readerView('Ça va? 12:30, £5'), 'Ça va? 12:30, £5', 'ordinary text unchanged');
    assert.equal(showInvisible('a\u200bb\u202ec'), 'a⟨U+200B⟩b⟨U+202E⟩c');
  });

  it('is stable and never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const view = readerView(text);
        assert.equal(readerView(view), view);
        skeleton(view);
        showInvisible(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('numbers in words', () => {
  it('become digits in runs, and only in runs', () => {
    assert.equal(spelledDigits('oh seven nine one one, one two three'), '07911123');
    assert.equal(spelledDigits('call 07911 one two three four five six'), 'call 07911123456');
    assert.equal(spelledDigits('double five triple oh nine'), '55000' + '9');
    assert.equal(spelledDigits('oh seven seventy nine forty'), '077940');
    assert.equal(spelledDigits('seventy nine and forty'), 'seventy nine and forty', 'one number alone stays a word');
    assert.equal(spelledDigits('i have one brother and two sisters'), 'i have one brother and two sisters');
    assert.equal(spelledDigits('oh no, not again'), 'oh no, not again');
  });
});

describe('phone numbers by shape', () => {
  it('holds a number however it is written, valid or not', () => {
    for (const text of [
      '07911 123456',
      '0 7 9 1 1 1 2 3 4 5 6',
      '(0)7911 123 456',
      '+44 (0) 7911.123.456',
      '07999 999999',
      '202/555-0143',
      '+999 1234 5678',
      // A number inside a run too long to be one: repeated, or with digits after it.
      '07911 123456 07911 123456 07911 123456',
      '7 7 07911 123456 1 2 3 4 5 6 7 8',
    ]) {
      assert.notEqual(findPhoneShape(text), null, text);
    }
  });

  it('passes dates, times, prices, scores, ranges, IPs, versions, decimals, ISBNs and long codes', () => {
    for (const text of [
      '12/05/2025',
      '2025-05-12 10:30',
      '£1,250,000.00',
      '3-2',
      'pages 101-156',
      '192.168.100.200',
      'v10.15.7.2',
      '3.14159265358',
      'ISBN 0-306-40615-2',
      '978-0-306-40615-7',
      '4111 1111 1111 1111 2',
      '1/5/2024-3/5/2024',
      'abc1234567890',
      '123456789',
    ])
      assert.equal(findPhoneShape(text), null, text);
  });
});

describe('handles and moves off the platform', () => {
  it('holds a handle, a platform with a handle, and an invitation to move', () => {
    for (const [text, rule] of [
      ['my insta is janed_2009', 'handle'],
      ['add me on snap: jane_d', 'handle'],
      ['@jane_d09', 'handle'],
      ['jane#1234', 'handle'],
      ['can we move to whatsapp?', 'off_platform'],
      ['are you on tiktok', 'off_platform'],
      ['snap me', 'off_platform'],
      ["what's your number", 'off_platform'],
      ['add me on xbox', 'off_platform'],
      ['text me', 'off_platform'],
    ] as const)
      assert.equal(findHandle(text)?.rule, rule, text);
  });

  it('knows every platform by every name it lists (the quick look before reading the words agrees)', () => {
    for (const name of PLATFORM_NAMES) assert.notEqual(findHandle(`can we move to ${name} instead`), null, name);
  });

  it('passes platforms and channel words named in passing', () => {
    for (const text of [
      'i saw a funny video on tiktok',
      'the signal was bad on the train',
      'i snapped my pencil',
      'my phone died',
      'what number was question 3',
      'i have a text to read',
      'we played fortnite at the weekend',
      'x marks the spot',
      'my email is slow today',
      'send me a text when you get there',
    ])
      assert.equal(findHandle(text), null, text);
  });
});

describe('home addresses', () => {
  it('holds postcodes (GB), ZIP codes with a street (US), and house numbers with a street', () => {
    assert.equal(findAddress('near ls6 2ab', ['GB']), 'ls6 2ab');
    assert.equal(findAddress('123 main street, springfield il 62704', ['US']), '123 main street');
    assert.equal(findAddress('i live at 12 oak road', ['IN']), '12 oak road');
    assert.equal(findAddress('hauptstrasse 5, berlin', ['DE']), 'hauptstrasse 5');
  });

  it('passes distances, times and numbers near a road', () => {
    for (const text of [
      'walked 5 miles down the road',
      'a 10 minute walk down the road',
      'room 12 on the main road',
      'the a1 road',
      'we scored 62704 points',
    ]) {
      assert.equal(findAddress(text, ['GB', 'US']), null, text);
    }
  });
});

describe('details split over messages', () => {
  it('holds the message that completes a number, for that sender in that pair only, within the window', () => {
    const filter = createFilter({ words: parseWordList(''), phoneCountries: ['GB'] });
    const mentee = { pairId: 1, senderId: 7 };
    assert.equal(filter.check('my number is 07911', mentee), null);
    assert.equal(filter.check('123456', { pairId: 2, senderId: 7 }), null, 'another pair');
    assert.equal(filter.check('123456', { pairId: 1, senderId: 8 }), null, 'the partner');
    assert.equal(filter.check('123456', mentee)?.rule, 'phone');
    assert.equal(filter.check('123456', mentee), null, 'the parts of a held detail are not used again');
  });

  it('keeps two earlier parts for five minutes on the clock it is given', () => {
    let now = 0;
    const recent = new RecentMessages(() => now);
    const sender = { pairId: 1, senderId: 1 };
    for (const part of ['a', 'b', 'c']) recent.add(sender, part);
    assert.deepEqual(recent.of(sender), ['b', 'c']);
    now += 5 * 60_000 + 1;
    assert.deepEqual(recent.of(sender), []);
  });

  it('never throws, whatever a sender sends', () => {
    const filter = createFilter({ words: parseWordList('secret'), phoneCountries: ['GB', 'US'] });
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }), { maxLength: 4 }), (messages) => {
        for (const message of messages) filter.check(message, { pairId: 1, senderId: 1 });
      }),
      { numRuns: 300 },
    );
  });
});
