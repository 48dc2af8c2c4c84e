/**
 * What a platform says about a user (src/auth/claims.ts), over what an attacker can put in a
 * token or a proxy answer: never a throw; a user only with an address the email rule keeps,
 * in its kept form; the platform's key for the person exactly as given, never transformed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { userOfClaims } from '../src/auth/claims.js';
import { parseEmail } from '../src/protocol/email.js';

const tricky = fc.constantFrom(
  'kate.doe@platform.test',
  'Kate.doe@platform.test',
  '\u212Aate.doe@platform.test',
  '\uFEFFkate.doe@platform.test',
  'kate.doe@platform.test\u2028',
  'a\u030Asa@platform.test',
  '\uFF4Bate@platform.test',
  'kate',
  '',
  ' kate@platform.test ',
  'k\u0000@p.t',
  'k\uD800@p.t',
);
const value = fc.oneof(
  tricky,
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const claims = fc.record(
  {
    sub: value,
    id: value,
    email: value,
    role: fc.oneof(fc.constantFrom('MENTOR', 'MENTEE', 'ADMIN', 'mentor', 'ROOT'), value),
    given_name: value,
    family_name: value,
    first_name: value,
    last_name: value,
  },
  { requiredKeys: [] },
);

describe('userOfClaims', () => {
  it("never throws; a user carries the kept form of its address and the platform's key exactly as given", () => {
    fc.assert(
      fc.property(claims, fc.constantFrom<'sub' | 'id'>('sub', 'id'), (given, subjectClaim) => {
        const described = userOfClaims(given as Record<string, unknown>, 'jwt:https://platform.test', subjectClaim);
        if ('problem' in described) return;
        const { user } = described;
        const raw = typeof given.email === 'string' ? given.email : given[subjectClaim];
        assert.deepEqual(parseEmail(raw), { email: user.email });
        const key = given[subjectClaim];
        assert.equal(user.platformId?.subject, key === undefined || key === null ? raw : String(key));
        assert.equal(user.platformId?.issuer, 'jwt:https://platform.test');
        assert.ok(['MENTOR', 'MENTEE', 'ADMIN'].includes(user.role));
        assert.ok(user.firstName.length > 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('the look-alikes of an address are other subjects: the store refuses them, never merges them', () => {
    const subjects = ['kate.doe@platform.test', 'Kate.doe@platform.test', '\u212Aate.doe@platform.test'].map((sub) => {
      const described = userOfClaims({ sub, role: 'MENTEE' }, 'jwt:', 'sub');
      assert.ok('user' in described);
      assert.equal(described.user.email, 'kate.doe@platform.test');
      return described.user.platformId!.subject;
    });
    assert.equal(new Set(subjects).size, 3);
    for (const sub of ['\uFEFFkate.doe@platform.test', 'kate.doe@platform.test\u2028'])
      assert.ok('problem' in userOfClaims({ sub, role: 'MENTEE' }, 'jwt:', 'sub'));
  });
});
