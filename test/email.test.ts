/**
 * The one email rule (src/protocol/email.ts): the classes it refuses, the one form it keeps,
 * and properties over what attackers send — it never throws, its kept form is a fixed point
 * with nothing invisible in it, and an address dressed up to look like another (case, the
 * Kelvin sign, decomposed letters, invisible characters) is that address or refused.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseEmail } from '../src/protocol/email.js';

const kept = (raw: string) => {
  const verdict = parseEmail(raw);
  return 'email' in verdict ? verdict.email : null;
};

// Independent of the module: what must never survive into a kept address.
const INVISIBLE_OR_UNSTABLE = /[\p{Z}\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u034F\u115F\u1160\u17B4\u17B5\u2800\u3164\uFFA0\uFE00-\uFE0F]/u;
const INVISIBLES = [
  '\u200B',
  '\u200C',
  '\u200D',
  '\u2060',
  '\uFEFF',
  '\u00AD',
  '\u200E',
  '\u200F',
  '\u202A',
  '\u202E',
  '\u2066',
  '\u2069',
  '\u061C',
  '\u2028',
  '\u2029',
  '\u0000',
  '\u0009',
  '\u000A',
  '\u0085',
  '\u00A0',
  '\u3000',
  '\u180E',
  '\u034F',
  '\uFE0F',
  '\u3164',
  '\u2800',
  '\u{E0041}',
  '\uD800',
];

describe('the email rule', () => {
  it('keeps one form: NFC, lower-cased, outer spaces dropped; the Kelvin sign is a K', () => {
    assert.equal(kept('Kate.Doe@Example.COM'), 'kate.doe@example.com');
    assert.equal(kept('  ada@example.com  '), 'ada@example.com');
    assert.equal(kept('\u212Aate.doe@example.com'), 'kate.doe@example.com');
    assert.equal(kept('a\u030Asa@example.com'), '\u00E5sa@example.com', 'decomposed å is the composed one');
    assert.equal(kept('\u00C5SA@example.com'), '\u00E5sa@example.com');
  });

  it('refuses what is invisible, a compatibility character, or not one address', () => {
    for (const invisible of INVISIBLES) {
      for (const text of [`${invisible}kate@example.com`, `kate${invisible}@example.com`, `kate@example.com${invisible}`]) {
        assert.equal(kept(text), null, JSON.stringify(text));
      }
    }
    for (const text of ['\u0130van@example.com', 'i\u0307van@example.com'])
      assert.match((parseEmail(text) as { problem: string }).problem, /dotted/, JSON.stringify(text));
    for (const text of [
      '\uFF4Bate@example.com',
      '\uFB01le@example.com',
      'x\u00B2@example.com',
      '\u24DAate@example.com',
      'kate@ex\u0378.com',
      'kate@\uE000.com',
    ]) {
      assert.match((parseEmail(text) as { problem: string }).problem, /compatibility|characters/, JSON.stringify(text));
    }
    for (const text of ['kate', '@example.com', 'kate@', 'a@b@c', '', ' ', 'kate doe@example.com', `${'a'.repeat(250)}@b.io`]) {
      assert.equal(kept(text), null, JSON.stringify(text));
    }
    assert.equal(kept(`${'a'.repeat(249)}@b.io`), `${'a'.repeat(249)}@b.io`, '254 characters');
    for (const value of [undefined, null, 42, {}, ['a@b.io']]) assert.equal(kept(value as never), null);
  });

  // Any UTF-16 unit, lone surrogates included, with an '@' often enough that some are accepted.
  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
    fc.constantFrom('@', 'a', 'K', '.', '\u212A', '\u030A', ...INVISIBLES),
  );
  const anyText = fc.oneof(
    fc.string({ unit, maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.tuple(fc.string({ unit, maxLength: 20 }), fc.string({ unit, maxLength: 20 })).map(([a, b]) => `${a}@${b}`),
  );

  it('never throws, and what it keeps is a fixed point with nothing invisible, NFC and NFKC-stable, lower-cased', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const email = kept(raw);
        if (email === null) return;
        assert.equal(kept(email), email, 'idempotent');
        assert.doesNotMatch(email, INVISIBLE_OR_UNSTABLE);
        assert.equal(email.normalize('NFC'), email);
        assert.equal(email.normalize('NFKC'), email);
        assert.equal(email.toLowerCase(), email);
        assert.equal(email.split('@').length, 2);
      }),
      { numRuns: 20_000 },
    );
  });

  it('an address dressed up to look like another (case, Kelvin sign, decomposition, invisible characters) is that address or refused', () => {
    const base = 'kate.doe@\u00E5sa.example';
    const dressed = fc.array(fc.tuple(fc.nat(), fc.constantFrom('upper', 'kelvin', 'decompose', 'invisible', 'spaces')), { maxLength: 6 }).chain((edits) =>
      fc.constantFrom(...INVISIBLES).map((invisible) => {
        let text = base;
        for (const [at, edit] of edits) {
          const i = at % (text.length + 1);
          if (edit === 'upper') text = text.toUpperCase();
          else if (edit === 'kelvin') text = text.replace(/k/i, '\u212A');
          else if (edit === 'decompose') text = text.normalize('NFD');
          else if (edit === 'spaces') text = ` ${text} `;
          else text = text.slice(0, i) + invisible + text.slice(i);
        }
        return text;
      }),
    );
    fc.assert(
      fc.property(dressed, (text) => {
        const email = kept(text);
        assert.ok(email === null || email === base, `${JSON.stringify(text)} → ${JSON.stringify(email)}`);
      }),
      { numRuns: 5000 },
    );
  });
});
