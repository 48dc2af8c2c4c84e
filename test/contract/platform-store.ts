/**
 * The Store contract of what a platform brings (PROTOCOL.md Part 5): users it describes,
 * matches it sets, and the history it imports — held by every engine, like
 * contract/store.ts, and registered beside it by each engine's test file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withStore, type Body, type StoreFactory } from './harness.js';
import type { Store } from '../../src/store/index.js';

export function platformStoreContract(name: string, make: StoreFactory): void {
  const test = (title: string, body: Body) => it(title, (t) => withStore(make, t, body));

  describe(`${name}: what a platform brings`, () => {
    test('upsertUser creates a user with no password, then updates names and role, and writes nothing when all is so', async (store) => {
      const described = { email: 'sam@platform.test', firstName: 'Sam', lastName: 'Lee', role: 'MENTEE' as const };
      const created = await store.accounts.upsert(described);
      assert.deepEqual([created.created, created.changed, created.user.email, created.user.role], [true, true, 'sam@platform.test', 'MENTEE']);
      assert.equal((await store.accounts.credentials('sam@platform.test'))?.passwordHash, '', 'no password');
      const same = await store.accounts.upsert(described);
      assert.deepEqual([same.created, same.changed, same.user.id], [false, false, created.user.id]);
      const promoted = await store.accounts.upsert({ ...described, firstName: 'Samantha', role: 'MENTOR' });
      assert.deepEqual([promoted.created, promoted.changed, promoted.user.firstName, promoted.user.role], [false, true, 'Samantha', 'MENTOR']);
      assert.equal((await store.accounts.byEmail('sam@platform.test'))?.role, 'MENTOR');
    });

    test("upsertUser makes an account with a password the platform's: the password cleared, its sessions revoked", async (store) => {
      const tom = await store.accounts.create({
        email: 'tom@platform.test',
        passwordHash: 'scrypt$chosen-by-someone',
        firstName: 'Tom',
        lastName: 'Ng',
        role: 'MENTOR',
      });
      await store.sessions.create('session-a', tom.id, new Date(Date.now() + 60_000));
      await store.sessions.create('session-b', tom.id, new Date(Date.now() + 60_000));
      const claimed = await store.accounts.upsert({
        email: 'tom@platform.test',
        firstName: 'Thomas',
        lastName: 'Ng',
        role: 'MENTOR',
        platformId: { issuer: 'jwt:p', subject: '7' },
      });
      assert.deepEqual([claimed.created, claimed.changed, claimed.user.id, claimed.revokedSessions.sort()], [false, true, tom.id, ['session-a', 'session-b']]);
      assert.equal((await store.accounts.credentials('tom@platform.test'))?.passwordHash, '', 'no password any more');
      assert.equal(await store.sessions.userOf('session-a', new Date()), null, 'the sessions are revoked');
      const again = await store.accounts.upsert({
        email: 'tom@platform.test',
        firstName: 'Thomas',
        lastName: 'Ng',
        role: 'MENTOR',
        platformId: { issuer: 'jwt:p', subject: '7' },
      });
      assert.deepEqual([again.changed, again.revokedSessions], [false, []]);
      // The server API and the import name users by email only: the same rule.
      const ann = await store.accounts.create({ email: 'ann@platform.test', passwordHash: 'scrypt$chosen', firstName: 'Ann', lastName: 'Ad', role: 'MENTEE' });
      await store.sessions.create('session-c', ann.id, new Date(Date.now() + 60_000));
      const synced = await store.accounts.upsert({ email: 'ann@platform.test', firstName: 'Ann', lastName: 'Ad', role: 'MENTEE' });
      assert.deepEqual([synced.changed, synced.revokedSessions], [true, ['session-c']]);
      assert.equal((await store.accounts.credentials('ann@platform.test'))?.passwordHash, '');
    });

    test('upsertUser finds a platform identity by its id: the email follows it, another id is never merged in', async (store) => {
      const kate = {
        email: 'kate.doe@platform.test',
        firstName: 'Kate',
        lastName: 'Doe',
        role: 'MENTEE' as const,
        platformId: { issuer: 'jwt:p', subject: 'kate.doe@platform.test' },
      };
      const first = await store.accounts.upsert(kate);
      const other = { ...kate, firstName: 'Other', platformId: { issuer: 'jwt:p', subject: 'Kate.doe@platform.test' } };
      await assert.rejects(store.accounts.upsert(other), (error: any) => error.code === 'identity_conflict', 'another subject whose email folds onto hers');
      await assert.rejects(
        store.accounts.upsert({ ...kate, platformId: { issuer: 'jwt:elsewhere', subject: kate.platformId.subject } }),
        (error: any) => error.code === 'identity_conflict',
        'another issuer',
      );
      assert.equal((await store.accounts.byEmail(kate.email))?.firstName, 'Kate', 'nothing of the refused one was written');
      const moved = await store.accounts.upsert({ ...kate, email: 'kate@new.test' });
      assert.deepEqual(
        [moved.user.id, moved.user.email, await store.accounts.byEmail(kate.email)],
        [first.user.id, 'kate@new.test', null],
        'the email is an attribute',
      );
      await store.accounts.upsert({ email: 'taken@platform.test', firstName: 'T', lastName: 'K', role: 'MENTOR' });
      await assert.rejects(
        store.accounts.upsert({ ...kate, email: 'taken@platform.test' }),
        (error: any) => error.code === 'identity_conflict',
        'onto another account',
      );
      // An account the server API made (no platform id yet) is bound by the first identity that names its email.
      const bound = await store.accounts.upsert({
        email: 'taken@platform.test',
        firstName: 'T',
        lastName: 'K',
        role: 'MENTOR',
        platformId: { issuer: 'proxy', subject: '42' },
      });
      assert.deepEqual([bound.created, bound.changed], [false, true]);
      await assert.rejects(
        store.accounts.upsert({ email: 'taken@platform.test', firstName: 'T', lastName: 'K', role: 'MENTOR', platformId: { issuer: 'proxy', subject: '43' } }),
        (error: any) => error.code === 'identity_conflict',
      );
      const byEmailOnly = await store.accounts.upsert({ email: 'taken@platform.test', firstName: 'Tee', lastName: 'K', role: 'MENTOR' });
      assert.deepEqual([byEmailOnly.user.id, byEmailOnly.user.firstName], [bound.user.id, 'Tee'], 'the server API still updates it by email');
    });

    test("an erased account keeps nothing of its platform id: the person's next sign-in is a new account", async (store) => {
      const described = {
        email: 'gone@platform.test',
        firstName: 'Go',
        lastName: 'Ne',
        role: 'MENTEE' as const,
        platformId: { issuer: 'jwt:p', subject: 'gone-1' },
      };
      const first = await store.accounts.upsert(described);
      await store.dataRights.erase(first.user.id);
      const again = await store.accounts.upsert(described);
      assert.deepEqual([again.created, again.user.id === first.user.id], [true, false]);
      const erased = (await store.accounts.byIds([first.user.id]))[0]!;
      assert.equal(erased.firstName, 'Deleted', 'the erased account stays erased');
      for (const platformId of [null, { issuer: 'jwt:p', subject: 'someone-else' }]) {
        await assert.rejects(
          store.accounts.upsert({ ...described, email: erased.email, platformId }),
          (error: any) => error.code === 'identity_conflict',
          'its reserved address names nobody',
        );
      }
    });

    test('upsertUser keeps the role of a user with an active match (role_locked), on both sides, and changes it once the match ended', async (store) => {
      const person = (email: string, role: 'MENTOR' | 'MENTEE') => ({ email, firstName: 'P', lastName: 'Q', role });
      await store.accounts.upsert(person('mentor@platform.test', 'MENTOR'));
      await store.accounts.upsert(person('mentee@platform.test', 'MENTEE'));
      await store.matches.put('mentee@platform.test', 'mentor@platform.test', { replace: false });
      await assert.rejects(store.accounts.upsert(person('mentee@platform.test', 'MENTOR')), (error: any) => error.code === 'role_locked');
      await assert.rejects(store.accounts.upsert({ ...person('mentee@platform.test', 'MENTEE'), role: 'ADMIN' }), (error: any) => error.code === 'role_locked');
      await assert.rejects(store.accounts.upsert(person('mentor@platform.test', 'MENTEE')), (error: any) => error.code === 'role_locked');
      assert.deepEqual(
        (await store.matches.list()).map((m) => [m.mentor.role, m.mentee.role]),
        [['MENTOR', 'MENTEE']],
      );
      const renamed = await store.accounts.upsert({ ...person('mentee@platform.test', 'MENTEE'), firstName: 'Mia' });
      assert.equal(renamed.user.firstName, 'Mia', 'names still change');
      await store.matches.end('mentee@platform.test');
      assert.equal((await store.accounts.upsert(person('mentee@platform.test', 'MENTOR'))).user.role, 'MENTOR');
    });

    test('a role change and a match of the same user, at once on two instances: never a matched user of the wrong role', async (store, reopen) => {
      const other = reopen ? await reopen() : store;
      await store.accounts.upsert({ email: 'mentor@race.test', firstName: 'M', lastName: 'T', role: 'MENTOR' });
      for (let i = 0; i < 10; i++) {
        const mentee = `mentee${i}@race.test`;
        await store.accounts.upsert({ email: mentee, firstName: 'S', lastName: 'T', role: 'MENTEE' });
        await Promise.allSettled([
          store.matches.put(mentee, 'mentor@race.test', { replace: false }),
          other.accounts.upsert({ email: mentee, firstName: 'S', lastName: 'T', role: 'MENTOR' }),
        ]);
        const matched = (await store.matches.list()).filter((m) => m.mentee.email === mentee);
        assert.ok(
          matched.every((m) => m.mentee.role === 'MENTEE'),
          `mentee ${i}: ${JSON.stringify(matched.map((m) => m.mentee.role))}`,
        );
      }
    });

    test('concurrent upserts of one platform id, on two instances, end in one user, one of them created', async (store, reopen) => {
      const other = reopen ? await reopen() : store;
      const described = {
        email: 'idrace@platform.test',
        firstName: 'Id',
        lastName: 'Race',
        role: 'MENTEE' as const,
        platformId: { issuer: 'jwt:p', subject: 'id-race' },
      };
      const results = await Promise.all([store, other, store, other].map((s) => s.accounts.upsert(described)));
      assert.equal(results.filter((result) => result.created).length, 1);
      assert.equal(new Set(results.map((result) => result.user.id)).size, 1);
    });

    test('concurrent upserts of one email, on two instances, end in one user, one of them created', async (store, reopen) => {
      const other = reopen ? await reopen() : store;
      const described = { email: 'race@platform.test', firstName: 'Ra', lastName: 'Ce', role: 'MENTOR' as const };
      const results = await Promise.all([store, other, store, other].map((s) => s.accounts.upsert(described)));
      assert.equal(results.filter((result) => result.created).length, 1);
      assert.equal(new Set(results.map((result) => result.user.id)).size, 1);
    });

    test('putMatch: made, already so, another mentor refused, replace ends it in the same call', async (store) => {
      const person = (email: string, role: 'MENTOR' | 'MENTEE') => store.accounts.upsert({ email, firstName: email.split('@')[0]!, lastName: 'T', role });
      await person('m1@platform.test', 'MENTOR');
      await person('m2@platform.test', 'MENTOR');
      await person('sam@platform.test', 'MENTEE');
      const made = await store.matches.put('sam@platform.test', 'm1@platform.test', { replace: false });
      assert.deepEqual([made.created, made.ended, made.match.mentor.email], [true, null, 'm1@platform.test']);
      const again = await store.matches.put('sam@platform.test', 'm1@platform.test', { replace: true });
      assert.deepEqual([again.created, again.ended, again.match.pairId], [false, null, made.match.pairId]);
      await assert.rejects(store.matches.put('sam@platform.test', 'm2@platform.test', { replace: false }), /already has a mentor/);
      const replaced = await store.matches.put('sam@platform.test', 'm2@platform.test', { replace: true });
      assert.deepEqual([replaced.created, replaced.ended?.mentor.email, replaced.match.mentor.email], [true, 'm1@platform.test', 'm2@platform.test']);
      assert.deepEqual(
        (await store.matches.list()).map((match) => match.mentor.email),
        ['m2@platform.test'],
      );
      const back = await store.matches.put('sam@platform.test', 'm1@platform.test', { replace: true });
      assert.equal(back.match.pairId, made.match.pairId, 'a former pair comes back with its history');
      await assert.rejects(store.matches.put('sam@platform.test', 'm9@platform.test', { replace: true }), /No such user/);
      await assert.rejects(store.matches.put('m2@platform.test', 'm1@platform.test', { replace: true }), /MENTOR and a MENTEE/);
      await person('kim@platform.test', 'MENTEE');
      await store.matches.put('kim@platform.test', 'm2@platform.test', { replace: false });
      await assert.rejects(store.matches.put('sam@platform.test', 'm2@platform.test', { replace: true, mentorCapacity: 1 }), /no room/);
      assert.equal(
        (await store.matches.list()).find((match) => match.mentee.email === 'sam@platform.test')?.mentor.email,
        'm1@platform.test',
        'a refused replace ends nothing',
      );
    });

    test('concurrent putMatch calls for one mentee, on two instances, are applied one after the other', async (store, reopen) => {
      const other = reopen ? await reopen() : store;
      for (const email of ['a@platform.test', 'b@platform.test']) await store.accounts.upsert({ email, firstName: 'M', lastName: 'T', role: 'MENTOR' });
      for (let i = 0; i < 5; i++) {
        const mentee = `mentee${i}@platform.test`;
        await store.accounts.upsert({ email: mentee, firstName: 'S', lastName: 'T', role: 'MENTEE' });
        const same = await Promise.all([store, other].map((s) => s.matches.put(mentee, 'a@platform.test', { replace: false })));
        assert.deepEqual(same.map((result) => result.created).sort(), [false, true]);
        const swaps = await Promise.all(
          [store, other, store].map((s, n) => s.matches.put(mentee, n % 2 ? 'a@platform.test' : 'b@platform.test', { replace: true })),
        );
        const active = (await store.matches.list()).filter((match) => match.mentee.email === mentee);
        assert.equal(active.length, 1, 'one active match');
        assert.equal(
          swaps.filter((result) => result.created).length,
          swaps.filter((result) => result.ended !== null).length,
          'every change ended the one before',
        );
      }
    });

    test('importMessages: seq in timestamp order, read state kept, a re-run unchanged, refusals alone', async (store) => {
      await store.accounts.upsert({ email: 'tom@platform.test', firstName: 'Tom', lastName: 'Ng', role: 'MENTOR' });
      await store.accounts.upsert({ email: 'mia@platform.test', firstName: 'Mia', lastName: 'Lee', role: 'MENTEE' });
      await store.accounts.upsert({ email: 'ann@platform.test', firstName: 'Ann', lastName: 'Ad', role: 'ADMIN' });
      const at = (minute: number) => new Date(Date.UTC(2025, 0, 6, 9, minute));
      const message = (id: string, from: string, to: string, minute: number, isRead = false) => ({
        externalId: id,
        senderEmail: from,
        receiverEmail: to,
        content: `message ${id}`,
        createdAt: at(minute),
        isRead,
      });
      const batch = [
        message('e1', 'mia@platform.test', 'tom@platform.test', 0, true),
        message('e2', 'tom@platform.test', 'mia@platform.test', 1),
        message('e2', 'tom@platform.test', 'mia@platform.test', 1),
        message('e3', 'ghost@platform.test', 'tom@platform.test', 2),
        message('e4', 'ann@platform.test', 'tom@platform.test', 2),
        message('e5', 'mia@platform.test', 'tom@platform.test', 0),
        message('e6', 'mia@platform.test', 'tom@platform.test', 3),
      ];
      const outcomes = await store.messages.importHistory(batch);
      assert.deepEqual(
        outcomes.map((o) => (typeof o === 'string' ? o : o.code)),
        ['created', 'created', 'unchanged', 'user_not_found', 'wrong_role', 'invalid_request', 'created'],
      );
      const again = await store.messages.importHistory(batch);
      assert.deepEqual(
        again.map((o) => (typeof o === 'string' ? o : o.code)),
        ['unchanged', 'unchanged', 'unchanged', 'user_not_found', 'wrong_role', 'invalid_request', 'unchanged'],
      );
      assert.deepEqual(await store.matches.list(), [], 'history makes a pair, not a match');
      const { match } = await store.matches.put('mia@platform.test', 'tom@platform.test', { replace: false });
      const messages = await store.messages.after(match.pairId, 0, 10);
      assert.deepEqual(
        messages.map((m) => [m.seq, m.content, m.createdAt.toISOString(), m.isRead]),
        [
          [1, 'message e1', at(0).toISOString(), true],
          [2, 'message e2', at(1).toISOString(), false],
          [3, 'message e6', at(3).toISOString(), false],
        ],
      );
      for (let i = 1; i < messages.length; i++) assert.ok(messages[i]!.id > messages[i - 1]!.id, 'ids grow with seq');
      const tom = (await store.accounts.byEmail('tom@platform.test'))!;
      assert.equal((await store.messages.conversations(tom.id))[0]?.unreadCount, 1, 'the imported unread message counts');
      const live = await store.messages.append({ pairId: match.pairId, senderId: tom.id, content: 'live' });
      assert.equal(live.message.seq, 4, 'live messages follow the imported ones');
      const late = await store.messages.importHistory([message('e7', 'mia@platform.test', 'tom@platform.test', 4)]);
      assert.equal(typeof late[0] === 'string' ? late[0] : late[0]!.code, 'invalid_request', 'older than the live message');
    });
  });
}
