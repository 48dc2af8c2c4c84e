/** The Store contract's accounts and sessions (store/users.ts): users, sign-ins, the directory, login attempts; run from storeContract. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, User } from '../../src/store/index.js';
import { rejectsWith, seed, user, withStore, type Body, type StoreFactory } from './harness.js';

export function usersContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: accounts and sessions`, () => {
    test('creates users and finds them by email, with credentials for login', async (store) => {
      const created = await user(store, 'ada@example.test', 'MENTOR');
      assert.ok(Number.isInteger(created.id) && created.id > 0);
      assert.equal(created.email, 'ada@example.test');
      assert.equal(created.firstName, 'ada');
      assert.equal(created.role, 'MENTOR');
      assert.ok(created.createdAt instanceof Date && !Number.isNaN(created.createdAt.getTime()));
      assert.deepEqual(await store.accounts.byEmail('ada@example.test'), created);
      assert.deepEqual(await store.accounts.credentials('ada@example.test'), { user: created, passwordHash: 'hash:ada@example.test' });
      assert.equal(await store.accounts.byEmail('nobody@example.test'), null);
      assert.equal(await store.accounts.credentials('nobody@example.test'), null);
      await store.ping();
    });

    test('refuses a second user with the same email', async (store) => {
      await user(store, 'ada@example.test', 'MENTOR');
      await rejectsWith(user(store, 'ada@example.test', 'MENTEE'), 'email_taken');
    });

    test("a password reset link: found while valid, used once, its user's other links gone with it", async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      const bob = await user(store, 'bob@example.test', 'MENTOR');
      const now = new Date();
      const later = new Date(now.getTime() + 60_000);
      await store.sessions.createPasswordReset('ada-1', ada.id, later);
      await store.sessions.createPasswordReset('ada-2', ada.id, later);
      await store.sessions.createPasswordReset('bob-1', bob.id, later);
      await store.sessions.createPasswordReset('expired', ada.id, new Date(now.getTime() - 1_000));
      assert.equal(await store.sessions.passwordResetUser('ada-1', now), ada.id);
      assert.equal(await store.sessions.passwordResetUser('ada-1', now), ada.id, 'looking does not use it up');
      assert.equal(await store.sessions.passwordResetUser('ada-1', new Date(later.getTime() + 1)), null, 'past its time');
      assert.equal(await store.sessions.passwordResetUser('expired', now), null);
      assert.equal(await store.sessions.passwordResetUser('unknown', now), null);
      assert.equal(await store.sessions.usePasswordReset('expired', now), false);
      assert.equal(await store.sessions.usePasswordReset('unknown', now), false);
      const uses = await Promise.all([store.sessions.usePasswordReset('ada-1', now), store.sessions.usePasswordReset('ada-1', now)]);
      assert.deepEqual(
        uses.filter((used) => used),
        [true],
        'one of two concurrent uses takes it',
      );
      assert.equal(await store.sessions.passwordResetUser('ada-1', now), null);
      assert.equal(await store.sessions.passwordResetUser('ada-2', now), null, "the user's other link went with it");
      assert.equal(await store.sessions.usePasswordReset('ada-2', now), false);
      assert.equal(await store.sessions.passwordResetUser('bob-1', now), bob.id, "another user's link stays");
    });

    test('finds the user of a live session only', async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      const now = new Date();
      await store.sessions.create('live', ada.id, new Date(now.getTime() + 60_000));
      await store.sessions.create('expired', ada.id, new Date(now.getTime() - 1_000));
      assert.deepEqual(await store.sessions.userOf('live', now), ada);
      assert.equal(await store.sessions.userOf('live', new Date(now.getTime() + 120_000)), null);
      assert.equal(await store.sessions.userOf('expired', now), null);
      assert.equal(await store.sessions.userOf('unknown', now), null);
    });

    test('revokes a session once', async (store) => {
      const ada = await user(store, 'ada@example.test', 'MENTEE');
      await store.sessions.create('token', ada.id, new Date(Date.now() + 60_000));
      assert.equal(await store.sessions.revoke('token'), true);
      assert.equal(await store.sessions.userOf('token', new Date()), null);
      assert.equal(await store.sessions.revoke('token'), false);
      assert.equal(await store.sessions.revoke('unknown'), false);
    });

    test('the directory: pages in id order with partners, filtered by role, status and search', async (store) => {
      const { mentor, mentee, loner, other, admin } = await seed(store);
      const percent = await store.accounts.create({ email: 'odd_100%@example.test', passwordHash: 'x', firstName: 'Zoë', lastName: 'Ward', role: 'MENTEE' });
      const emails = (page: { entries: { user: User }[] }) => page.entries.map((entry) => entry.user.email);
      const first = await store.accounts.directory({ limit: 4 });
      assert.deepEqual(
        emails(first),
        [mentor, mentee, loner, other].map((u) => u.email),
      );
      assert.deepEqual(first.entries[0]!.partners, [mentee]);
      assert.deepEqual(first.entries[1]!.partners, [mentor]);
      assert.deepEqual(first.entries[2]!.partners, []);
      const rest = await store.accounts.directory({ limit: 4, afterId: first.nextAfterId! });
      assert.deepEqual([emails(rest), rest.nextAfterId], [[admin.email, percent.email], null]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, role: 'MENTEE', status: 'unmatched' })), [loner.email, percent.email]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, status: 'matched' })), [mentor.email, mentee.email]);
      assert.deepEqual(
        emails(await store.accounts.directory({ limit: 10, status: 'unmatched' })),
        [loner.email, other.email, percent.email],
        'admins are neither',
      );
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: 'LONER@' })), [loner.email]);
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: 'zoë ward' })), [percent.email], 'first and last name together');
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: '_100%' })), [percent.email], 'LIKE characters match themselves');
      assert.deepEqual(emails(await store.accounts.directory({ limit: 10, search: '%' })), [percent.email]);
      await store.matches.create(mentor.email, loner.email);
      assert.deepEqual(
        (await store.accounts.directory({ limit: 1 })).entries[0]!.partners.map((u) => u.email),
        [mentee.email, loner.email],
      );
      assert.equal(first.entries[1]!.lastEndedAt, null, 'never unmatched');
      const ended = await store.matches.end(mentee.email);
      assert.ok(ended);
      const [again] = (await store.accounts.directory({ limit: 10, search: mentee.email })).entries;
      assert.ok(again!.lastEndedAt instanceof Date && again!.lastEndedAt >= mentee.createdAt, 'the mentee waits from the unmatch');
      assert.deepEqual(again!.partners, []);
    });

    test('counts login attempts per key in fixed windows, atomically', async (store, reopen) => {
      const t0 = Date.UTC(2030, 0, 1);
      const at = (seconds: number) => new Date(t0 + seconds * 1000);
      const count = (s: Store, keys: string[], seconds: number) => s.sessions.countLoginAttempt(keys, at(seconds), at(seconds - 60));
      assert.deepEqual(await count(store, ['account:a', 'address:1'], 0), [
        { key: 'account:a', count: 1, windowStartedAt: at(0) },
        { key: 'address:1', count: 1, windowStartedAt: at(0) },
      ]);
      assert.deepEqual(await count(store, ['address:1', 'account:b'], 10), [
        { key: 'address:1', count: 2, windowStartedAt: at(0) },
        { key: 'account:b', count: 1, windowStartedAt: at(10) },
      ]);
      await store.sessions.refundLoginAttempt(['address:1', 'account:unknown']);
      assert.deepEqual(
        (await count(store, ['address:1'], 20)).map((r) => r.count),
        [2],
      );
      for (let i = 0; i < 4; i++) await store.sessions.refundLoginAttempt(['address:1']);
      assert.deepEqual(
        (await count(store, ['address:1'], 30)).map((r) => r.count),
        [1],
      );
      // At 60 s the window that started at 0 has ended: counting starts over.
      assert.deepEqual(await count(store, ['account:a', 'account:b'], 60), [
        { key: 'account:a', count: 1, windowStartedAt: at(60) },
        { key: 'account:b', count: 2, windowStartedAt: at(10) },
      ]);
      const second = reopen ? await reopen() : store;
      const together = await Promise.all(Array.from({ length: 20 }, (_, i) => count(i % 2 ? second : store, ['address:2'], 100)));
      assert.deepEqual(
        together.map(([row]) => row!.count).sort((a, b) => a - b),
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });
  });
}
