/**
 * Password hashes (src/auth/passwords.ts): OWASP's scrypt cost by default, a weaker stored
 * hash made again at the next sign-in, stored text that is not a hash never matching, and
 * TANDEM_ADMIN_PASSWORD judged by the policy only when the admin is created.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_SCRYPT_N, hashPassword, needsRehash, verifyPassword } from '../src/auth/passwords.js';
import { ConfigError } from '../src/config.js';
import { ADMIN } from './helpers/accounts.js';
import { Agent, createUser, loginAdmin } from './helpers/http.js';
import { startServer, tempDir } from './helpers/server.js';

it('hashes at scrypt N=2^17, r=8, p=1 unless told otherwise, and verifies hashes of any accepted cost', async () => {
  assert.equal(DEFAULT_SCRYPT_N, 131072);
  const strong = await hashPassword('correct horse battery');
  assert.match(strong, /^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
  assert.equal(await verifyPassword('correct horse battery', strong), true);
  assert.equal(await verifyPassword('correct horse batterY', strong), false);
  const weak = await hashPassword('correct horse battery', 16384);
  assert.match(weak, /^scrypt\$16384\$8\$1\$/);
  assert.equal(await verifyPassword('correct horse battery', weak), true);
  assert.equal(needsRehash(weak), true, 'below the default cost');
  assert.equal(needsRehash(strong), false);
  assert.equal(needsRehash(weak, 16384), false, 'at the configured cost');
  assert.equal(needsRehash('not a hash'), true);
});

it('stored text that is not a hash Tandem made never matches and never throws', async () => {
  const salt = Buffer.alloc(16).toString('base64url');
  for (const stored of [
    '',
    'scrypt',
    `scrypt$3$8$1$${salt}$AA`,
    `scrypt$${2 ** 21}$8$1$${salt}$AA`,
    `scrypt$16384$0$1$${salt}$AA`,
    `scrypt$16384$8$99$${salt}$AA`,
    'bcrypt$2b$10$x$y$z',
  ]) {
    assert.equal(await verifyPassword('anything', stored), false, stored);
  }
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: 'binary' }), fc.string(), async (stored, password) => {
      // Only a tiny cost can be reached by chance; either way the answer is a boolean.
      assert.equal(typeof (await verifyPassword(password, stored)), 'boolean');
    }),
    { numRuns: 200 },
  );
});

it('a hash made at a lower cost is made again at the configured one when its user signs in', async (t) => {
  const databaseUrl = `sqlite:${join(tempDir(t), 'tandem.db')}`;
  const before = await startServer(t, { DATABASE_URL: databaseUrl, PASSWORD_SCRYPT_N: '16384' });
  const user = await createUser(await loginAdmin(before.http), { role: 'MENTEE' });
  const password = (await import('./helpers/accounts.js')).passwordOf(user.email);
  assert.match((await before.tandem.store.accounts.credentials(user.email))!.passwordHash, /^scrypt\$16384\$/);
  await before.close();

  const after = await startServer(t, { DATABASE_URL: databaseUrl, PASSWORD_SCRYPT_N: String(DEFAULT_SCRYPT_N) });
  assert.equal((await new Agent(after.http).post('/api/auth/login', { email: user.email, password: 'wrong password' })).status, 401);
  assert.match((await after.tandem.store.accounts.credentials(user.email))!.passwordHash, /^scrypt\$16384\$/, 'a failed sign-in changes nothing');
  await new Agent(after.http).login(user.email, password);
  const upgraded = (await after.tandem.store.accounts.credentials(user.email))!.passwordHash;
  assert.match(upgraded, /^scrypt\$131072\$8\$1\$/);
  await new Agent(after.http).login(user.email, password);
  assert.equal((await after.tandem.store.accounts.credentials(user.email))!.passwordHash, upgraded, 'made once, not at every sign-in');
});

it('a TANDEM_ADMIN_PASSWORD the policy refuses stops the start only when the admin is to be created', async (t) => {
  const databaseUrl = `sqlite:${join(tempDir(t), 'tandem.db')}`;
  const refusals: Array<[string, RegExp]> = [
    ['short', /TANDEM_ADMIN_PASSWORD is refused: The password must have at least 8 characters/],
    ['password', /TANDEM_ADMIN_PASSWORD is refused: This password is one of the most common passwords/],
    ['PassWord1', /one of the most common passwords/],
    [`x-${ADMIN.email}-x`, /TANDEM_ADMIN_PASSWORD is refused: The password must not contain the email address/],
  ];
  for (const [password, why] of refusals) {
    await assert.rejects(startServer(t, { DATABASE_URL: databaseUrl, TANDEM_ADMIN_PASSWORD: password }), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, why);
      return true;
    });
  }
  const first = await startServer(t, { DATABASE_URL: databaseUrl });
  await first.close();
  // An upgrade whose policy would refuse the old setting still starts: the admin exists.
  const upgraded = await startServer(t, { DATABASE_URL: databaseUrl, TANDEM_ADMIN_PASSWORD: 'short' });
  await loginAdmin(upgraded.http);
});
