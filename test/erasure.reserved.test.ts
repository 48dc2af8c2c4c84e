/**
 * The erased-account domain is reserved: an address of `deleted.invalid` (any case, below it,
 * a trailing dot) is refused at registration, by the admin's create and sync, in an import,
 * and in a token's or the identity proxy's answer — so no account can take the address an
 * erasure writes, and erasure cannot be blocked. The address erasure writes is the one the
 * stores recognise as erased.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ERASED_DOMAIN, erasedEmailOf, isErasedEmail, reservedEmailProblem } from '../src/protocol/erased-email.js';
import { SqliteStore } from '../src/store/sqlite/index.js';
import { isErasedEmail as storeIsErased } from '../src/store/rows.js';
import { Agent, createUser, loginAdmin, person } from './helpers/http.js';
import { claimsOf, mint, Platform, platformUser } from './helpers/platform.js';
import { startServer, tempDir } from './helpers/server.js';
import { join } from 'node:path';

const KEY = 'platform-import-key-0123456789';
const SECRET = 'a-platform-secret-of-at-least-32-characters';
const enc = encodeURIComponent;
const RESERVED = ['deleted-7@deleted.invalid', 'DELETED-7@Deleted.Invalid', 'anyone@deleted.invalid', 'x@sub.deleted.invalid', 'x@deleted.invalid.'];

describe('the reserved domain, as a function', () => {
  it('refuses every address of deleted.invalid and below it, in any case; accepts others', () => {
    for (const email of RESERVED) assert.notEqual(reservedEmailProblem(email), null, email);
    for (const email of ['a@example.com', 'deleted-7@deleted.invalid.example', 'a@notdeleted.invalid', 'deleted.invalid@example.com', 'no-at-sign']) {
      assert.equal(reservedEmailProblem(email), null, email);
    }
  });

  it('what erasure writes is erased, reserved, and what the stores recognise, for any id', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (id) => {
        const email = erasedEmailOf(id);
        assert.ok(isErasedEmail(email) && storeIsErased(email));
        assert.notEqual(reservedEmailProblem(email), null);
        assert.ok(email.endsWith(`@${ERASED_DOMAIN}`));
      }),
    );
  });

  it('any text: never throws; every address that ends in the domain in any case is refused', () => {
    const casing = fc
      .array(fc.boolean(), { minLength: ERASED_DOMAIN.length, maxLength: ERASED_DOMAIN.length })
      .map((upper) => [...ERASED_DOMAIN].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), casing, fc.constantFrom('', '.', '..'), (local, domain, dots) => {
        assert.notEqual(reservedEmailProblem(`${local}@${domain}${dots}`), null);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const problem = reservedEmailProblem(text);
        assert.ok(problem === null || typeof problem === 'string');
        assert.equal(isErasedEmail(text), /^deleted-\d+@deleted\.invalid$/.test(text));
      }),
    );
  });

  it('the store erases a user to exactly erasedEmailOf(id)', async (t) => {
    const store = await SqliteStore.open(join(tempDir(t), 'tandem.db'));
    t.after(() => store.close());
    const user = await store.accounts.create({ email: 'to-erase@example.com', passwordHash: '', firstName: 'To', lastName: 'Erase', role: 'MENTEE' });
    await store.dataRights.erase(user.id);
    assert.equal((await store.accounts.byEmail(erasedEmailOf(user.id)))?.id, user.id);
  });
});

describe('the reserved domain, at every way in', () => {
  it("registration and the admin's create: 400 with the reason; erasure of the user whose address it was then works", async (t) => {
    const server = await startServer(t, { REGISTRATION: 'open' });
    const admin = await loginAdmin(server.http);
    const victim = await createUser(admin, { role: 'MENTEE' });
    const { id } = (await server.tandem.store.accounts.byEmail(victim.email!))!;
    for (const email of [erasedEmailOf(id), ...RESERVED]) {
      const registered = await new Agent(server.http).post('/api/auth/register', person({ email }));
      assert.equal(registered.status, 400, `${email}: ${JSON.stringify(registered.body)}`);
      assert.equal(registered.body.error, 'invalid_request');
      // The trailing-dot form is no email to the schema already.
      assert.match(registered.body.message, /deleted\.invalid is reserved|format "email"/);
      const created = await admin.post('/api/users', person({ email }));
      assert.equal(created.status, 400, email);
      assert.match(created.body.message, /reserved|format "email"/);
    }
    assert.equal((await admin.delete(`/api/users/${enc(victim.email)}`)).status, 204);
  });

  it('PUT /api/users/{email} and the import: refused with the reason', async (t) => {
    const server = await startServer(t, { API_KEYS: `platform:${KEY}` });
    const key = { authorization: `Bearer ${KEY}` };
    for (const email of RESERVED) {
      const put = await new Agent(server.http).request('PUT', `/api/users/${enc(email)}`, { first_name: 'A', last_name: 'B', role: 'MENTEE' }, key);
      assert.equal(put.status, 400, `${email}: ${JSON.stringify(put.body)}`);
      assert.match(put.body.message, /reserved/);
    }
    const lines = RESERVED.map((email) => JSON.stringify({ kind: 'user', email, first_name: 'A', last_name: 'B', role: 'MENTEE' }));
    const imported = await new Agent(server.http).request('POST', '/api/import', `${lines.join('\n')}\n`, { ...key, 'content-type': 'application/x-ndjson' });
    assert.equal(imported.status, 200, JSON.stringify(imported.body));
    assert.deepEqual(imported.body.users, { created: 0, updated: 0, unchanged: 0 });
    assert.deepEqual(
      imported.body.refused.map((r: { line: number; error: string }) => [r.line, r.error]),
      RESERVED.map((_, i) => [i + 1, 'invalid_request']),
    );
    for (const refused of imported.body.refused) assert.match(refused.message, /reserved/);
  });

  it('a token or the identity proxy naming a reserved address signs no one in (401), and creates no user', async (t) => {
    const platform = await Platform.start(t);
    const server = await startServer(t, { AUTH: 'local,jwt,proxy', JWT_SECRET: SECRET, AUTH_PROXY_URL: `${platform.url}/whoami` });
    const admin = await loginAdmin(server.http);
    for (const email of RESERVED) {
      const user = { ...platformUser('MENTEE'), email };
      const token = await mint(claimsOf(user), SECRET);
      assert.equal((await new Agent(server.http).get('/api/me', { authorization: `Bearer ${token}` })).status, 401, `token ${email}`);
      assert.equal((await new Agent(server.http).get('/api/me', { cookie: platform.signIn(user) })).status, 401, `proxy ${email}`);
      const found = await admin.get(`/api/users?q=${enc('deleted.invalid')}`);
      assert.deepEqual(found.body.users, [], `no user made of ${email}`);
    }
    const good = platformUser('MENTEE');
    assert.equal(
      (await new Agent(server.http).get('/api/me', { authorization: `Bearer ${await mint(claimsOf(good), SECRET)}` })).status,
      200,
      'a usual address passes',
    );
  });
});
