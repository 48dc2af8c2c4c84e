/**
 * The Store contract's account controls, run against every engine (from storeContract): the
 * list of a user's sessions and signing out everywhere, replacing a password hash only if it
 * is unchanged, and a participant ending only a match they take part in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Role, Store } from '../../src/store/index.js';
import { withStore, type Body, type StoreFactory } from './harness.js';

const user = (store: Store, email: string, role: Role) =>
  store.accounts.create({ email, passwordHash: `hash:${email}`, firstName: email.split('@')[0]!, lastName: 'Test', role });

export function accountsContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: account controls`, () => {
    test("lists a user's live sessions, and revokes all of them at once", async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      const bob = await user(store, 'bob@example.test', 'MENTOR');
      const now = Date.now();
      await store.sessions.create('older', ada.id, new Date(now + 60_000));
      await store.sessions.create('expired', ada.id, new Date(now - 1_000));
      await store.sessions.create('bobs', bob.id, new Date(now + 60_000));
      await store.sessions.create('revoked', ada.id, new Date(now + 60_000));
      await store.sessions.revoke('revoked');
      await store.sessions.create('newer', ada.id, new Date(now + 120_000));
      const live = await store.sessions.liveOf(ada.id, new Date(now));
      assert.deepEqual(live.map((session) => session.tokenHash).sort(), ['newer', 'older']);
      assert.ok(live.every((session) => session.createdAt instanceof Date && session.expiresAt.getTime() > now));
      assert.deepEqual((await store.sessions.revokeAllOf(ada.id)).sort(), ['expired', 'newer', 'older'], 'every session not revoked yet, not the revoked one');
      assert.deepEqual(await store.sessions.liveOf(ada.id, new Date(now)), []);
      assert.equal(await store.sessions.userOf('newer', new Date(now)), null);
      assert.deepEqual(await store.sessions.revokeAllOf(ada.id), [], 'nothing left');
      assert.deepEqual((await store.sessions.userOf('bobs', new Date(now)))?.id, bob.id, "another user's session is untouched");
    });

    test('replaces a password hash only while it is the one read', async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      assert.equal(await store.accounts.replacePasswordHash(ada.id, 'hash:ada@example.test', 'scrypt$stronger'), true);
      assert.equal((await store.accounts.credentials(ada.email))?.passwordHash, 'scrypt$stronger');
      assert.equal(await store.accounts.replacePasswordHash(ada.id, 'hash:ada@example.test', 'scrypt$stale'), false, 'changed meanwhile');
      assert.equal((await store.accounts.credentials(ada.email))?.passwordHash, 'scrypt$stronger');
      assert.equal(await store.accounts.replacePasswordHash(ada.id + 1000, 'scrypt$stronger', 'x'), false, 'no such user');
    });

    test('a participant ends only a match they take part in, checked in the ending transaction', async (store) => {
      const former = await user(store, 'former@example.test', 'MENTOR');
      const current = await user(store, 'current@example.test', 'MENTOR');
      const mentee = await user(store, 'mentee@example.test', 'MENTEE');
      await store.matches.create(former.email, mentee.email);
      await store.matches.end(mentee.email);
      const match = await store.matches.create(current.email, mentee.email);
      assert.equal(await store.matches.end(mentee.email, { participantId: former.id }), null, 'the former mentor cannot end the new match');
      assert.deepEqual(
        (await store.matches.list(mentee.id)).map((m) => m.pairId),
        [match.pairId],
        'still matched',
      );
      assert.equal((await store.matches.end(mentee.email, { participantId: mentee.id }))?.pairId, match.pairId, 'the mentee can');
    });
  });
}
