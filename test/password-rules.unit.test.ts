/** The password rules the server enforces and the registration form checks as the person types: one source, the same verdicts. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { passwordProblem } from '../src/auth/password-policy.js';
import { brokenPasswordRules, PASSWORD_RULES, refusalOf } from '../src/protocol/password-rules.js';

const owner = { email: 'priyanka.s@example.org', firstName: 'Priyanka', lastName: 'Sharma' };

it('names each broken rule, in the order the form lists them', () => {
  assert.deepEqual(brokenPasswordRules('', owner), ['length']);
  assert.deepEqual(brokenPasswordRules('short', owner), ['length']);
  assert.deepEqual(brokenPasswordRules('xx-PRIYANKA.S-xx', owner), ['email', 'name']);
  assert.deepEqual(brokenPasswordRules('sharma-and-tea', owner), ['name']);
  assert.deepEqual(brokenPasswordRules('a quiet harbour at dawn', owner), []);
  assert.deepEqual(
    PASSWORD_RULES.map((entry) => entry.rule),
    ['length', 'common', 'email', 'name'],
  );
});

it("the server refuses exactly what the form marks as broken, with that rule's sentence (common passwords aside)", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 24 }), fc.constantFrom('', 'priyanka', 'Sharma', 'PRIYANKA.S', 'ß'), (text, part) => {
      const password = `${text}${part}`;
      const broken = brokenPasswordRules(password, owner);
      const problem = passwordProblem(password, owner);
      // The server asks its common list after the length and before the rest.
      if (broken.length > 0) assert.ok(problem === refusalOf(broken[0]!) || (broken[0] !== 'length' && problem === refusalOf('common')), problem ?? 'accepted');
      else assert.ok(problem === null || problem === refusalOf('common'), problem ?? '');
    }),
    { numRuns: 500 },
  );
  assert.equal(passwordProblem('password1', owner), refusalOf('common'));
});
