/**
 * Properties of what the auth layer reads from outside, over generated hostile input: the
 * Authorization header (`bearerToken`), the shape of a token (`looksLikeJwt`), and a
 * platform's claims (`userOfClaims`). Nothing throws; every answer is what the rules say.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { userOfClaims } from '../src/auth/claims.js';
import { bearerToken, looksLikeJwt } from '../src/auth/identity.js';
import { emailProblem, nameProblem } from '../src/protocol/text.js';
import { normalizeEmail, ROLES } from '../src/store/types.js';
import { hostileChar, hostileText, oddJsonValue, whitespaceRun } from './helpers/attacker-text.js';

const RUNS = { numRuns: 300 };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const base64url = (minLength: number) => fc.string({ unit: fc.constantFrom(...BASE64URL), minLength, maxLength: 300 });
/** Space and tab only: what HTTP allows around a credential. */
const headerSpace = whitespaceRun(40, fc.constantFrom(' ', '\t'));
/** The tokens a header can carry: no whitespace of any kind (JavaScript's \s). */
const token = fc
  .array(hostileChar, { minLength: 1, maxLength: 30 })
  .map((chars) => chars.join('').replace(/\s/gu, ''))
  .filter((text) => text !== '');

describe('bearerToken (property)', () => {
  it('reads "Bearer <token>" in any case, with spaces or tabs around the token', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('Bearer', 'bearer', 'BEARER', 'bEaReR'),
        headerSpace,
        token,
        fc.option(headerSpace),
        (scheme, space, credential, trailing) => {
          assert.equal(bearerToken(`${scheme}${space}${credential}${trailing ?? ''}`), credential);
        },
      ),
      RUNS,
    );
  });

  it('never throws; anything it returns is one run of non-whitespace that was in the header', () => {
    const header = fc.oneof(
      hostileText(),
      fc.tuple(fc.constantFrom('Bearer', 'Basic', 'Bearer:', 'Bearer\u00A0', ''), hostileText()).map(([scheme, rest]) => scheme + rest),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(header, (value) => {
        const found = bearerToken(value);
        if (found === null) return;
        assert.ok(found.length > 0 && !/\s/u.test(found) && value!.includes(found));
      }),
      RUNS,
    );
  });
});

describe('looksLikeJwt (property)', () => {
  it('is true exactly for three dot-separated base64url parts, the first two non-empty', () => {
    const jwtLike = fc.tuple(base64url(1), base64url(1), base64url(0)).map((parts) => parts.join('.'));
    const reference = (text: string) => {
      const parts = text.split('.');
      return parts.length === 3 && parts[0] !== '' && parts[1] !== '' && parts.every((part) => [...part].every((char) => BASE64URL.includes(char)));
    };
    fc.assert(
      fc.property(
        fc.oneof(
          jwtLike,
          hostileText({ maxRun: 30 }),
          jwtLike.chain((jwt) => hostileChar.map((char) => jwt + char)),
        ),
        (text) => {
          assert.equal(looksLikeJwt(text), reference(text));
        },
      ),
      RUNS,
    );
  });
});

describe('userOfClaims (property)', () => {
  // The reasons userOfClaims gives: the email rule's own reason follows its prefix.
  const PROBLEMS = [
    /^no usable email \(email or sub\): /,
    /^sub must be a string of 1 to \d+ characters/,
    /^email: the domain deleted\.invalid is reserved/,
    /^role must be MENTOR, MENTEE or ADMIN$/,
    /^a name is not a one-line visible text of at most 150 characters$/,
  ];
  const known = (problem: string) => PROBLEMS.some((pattern) => pattern.test(problem));
  const email = fc.oneof(
    fc.emailAddress(),
    fc.tuple(hostileText({ maxPieces: 6, maxRun: 3 }), fc.constant('@'), hostileText({ maxPieces: 6, maxRun: 3 })).map((parts) => parts.join('')),
    fc.tuple(whitespaceRun(20), fc.emailAddress(), whitespaceRun(20)).map((parts) => parts.join('')),
    hostileText({ maxRun: 300 }),
    oddJsonValue,
  );
  const name = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 }), hostileText({ maxPieces: 10, maxRun: 200 }), oddJsonValue);
  const claims = fc.record(
    {
      email,
      sub: email,
      role: fc.oneof(fc.constantFrom(...ROLES, 'mentor', 'ROOT', ''), oddJsonValue),
      given_name: name,
      first_name: name,
      family_name: name,
      last_name: name,
    },
    { requiredKeys: [] },
  );

  it('never throws; a user it makes has a usable stored email, a known role and names within the rules', () => {
    fc.assert(
      fc.property(claims, (given) => {
        const answer = userOfClaims(given, 'https://platform.test', 'sub');
        if ('problem' in answer) return assert.ok(known(answer.problem), answer.problem);
        const { user } = answer;
        const raw = typeof given.email === 'string' ? given.email : (given.sub as string);
        assert.equal(user.email, normalizeEmail(raw));
        assert.equal(emailProblem(user.email), null);
        assert.match(user.email, /^[^\s@]+@[^\s@]+$/u);
        assert.ok(ROLES.includes(user.role));
        const firstClaim = given.given_name ?? given.first_name;
        if (typeof firstClaim === 'string' && firstClaim.trim() !== '') {
          assert.equal(user.firstName, firstClaim.trim());
          assert.equal(nameProblem(user.firstName), null);
        } else {
          // No first name given: the local part of the email stands in for it.
          assert.equal(user.firstName, user.email.split('@')[0]);
        }
        if (user.lastName !== '') assert.ok(nameProblem(user.lastName) === null && user.lastName.length <= 150);
      }),
      RUNS,
    );
  });

  // The local part that stands in for a missing first name is not held to the name rules:
  // "\u200B@x.io" makes an invisible name, a 200-character local part a name past 150.
  const localPartEmail = fc
    .tuple(fc.string({ unit: fc.constantFrom('\u200B', '\u3164', '\u2800', '\u200E', 'a'), minLength: 1, maxLength: 240 }), fc.emailAddress())
    .map(([local, address]) => `${local}@${address.split('@')[1]}`);
  it('gives a first name of at most 150 characters, visible or empty, when the claims have none', () => {
    fc.assert(
      fc.property(fc.oneof(email, localPartEmail), (given) => {
        const answer = userOfClaims({ email: given, role: 'MENTEE' }, 'https://platform.test', 'sub');
        if ('user' in answer) {
          const { firstName } = answer.user;
          assert.ok((firstName === '' || nameProblem(firstName) === null) && firstName.length <= 150, JSON.stringify(firstName));
        }
      }),
      RUNS,
    );
  });
});
