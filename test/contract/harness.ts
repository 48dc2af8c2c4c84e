/** What every part of the Store contract shares: the factory it is given, how a test opens and cleans up its store, and a seeded store. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { isAppError, type ErrorCode } from '../../src/errors.js';
import type { Message, Role, Store, User } from '../../src/store/index.js';

/**
 * Opens an empty store. `cleanup` closes every store the factory opened (also those the test
 * already closed) and deletes the data. `reopen`, when given, opens another store on the
 * same data: a restart once the first is closed, a second instance while it is open.
 */
export type StoreFactory = () => Promise<[store: Store, cleanup: () => Promise<void>, reopen?: () => Promise<Store>]>;

export type Body = (store: Store, reopen: (() => Promise<Store>) | undefined, t: TestContext) => Promise<void>;

export async function withStore(make: StoreFactory, t: TestContext, body: Body): Promise<void> {
  const [store, cleanup, reopen] = await make();
  try {
    await body(store, reopen, t);
  } finally {
    await cleanup();
  }
}

export const rejectsWith = (promise: Promise<unknown>, code: ErrorCode) =>
  assert.rejects(promise, (error: unknown) => {
    assert.ok(isAppError(error), `expected AppError ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });

export const user = (store: Store, email: string, role: Role) =>
  store.accounts.create({ email, passwordHash: `hash:${email}`, firstName: email.split('@')[0]!, lastName: 'Test', role });

/** A mentor, a mentee matched with them, an unmatched mentee, a second mentor and an admin. */
export async function seed(store: Store) {
  const mentor = await user(store, 'mentor@example.test', 'MENTOR');
  const mentee = await user(store, 'mentee@example.test', 'MENTEE');
  const loner = await user(store, 'loner@example.test', 'MENTEE');
  const other = await user(store, 'other@example.test', 'MENTOR');
  const admin = await user(store, 'admin@example.test', 'ADMIN');
  const match = await store.matches.create(mentor.email, mentee.email);
  return { mentor, mentee, loner, other, admin, pairId: match.pairId };
}

export const send = (store: Store, pairId: number, sender: User, content: string, clientId?: string) =>
  store.messages.append({ pairId, senderId: sender.id, content, clientId });

/** Asserts seqs 1..n without gap or duplicate, and ids growing with seq. */
export function assertContiguous(messages: readonly Message[], n: number): void {
  const bySeq = [...messages].sort((a, b) => a.seq - b.seq);
  assert.deepEqual(
    bySeq.map((m) => m.seq),
    Array.from({ length: n }, (_, i) => i + 1),
  );
  for (let i = 1; i < bySeq.length; i++) assert.ok(bySeq[i]!.id > bySeq[i - 1]!.id, `id grows with seq at seq ${i + 1}`);
}
