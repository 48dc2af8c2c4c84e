/**
 * The PresenceRegistry contract (src/presence/index.ts), run against every engine. Each test
 * uses rooms no other test (or run) uses, so engines that share a backend need no cleanup
 * between tests.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { PresenceRegistry } from '../../src/presence/index.js';
import { freshRoom, within } from './layer.js';

/** Opens a registry; `cleanup` closes it (also when the test already did). */
export type PresenceFactory = () => Promise<[PresenceRegistry, () => Promise<void>]>;

/** The user (by id) whose connections most cases count. */
export const mentor = 1;
/** The partner, whose presence must never move with the mentor's. */
export const mentee = 2;

/** A room and a user in it. */
type Place = [room: string, userId: number];

/** What happens at `one` never shows at `other`: each has its own first and last connection. */
async function assertIndependent(presence: PresenceRegistry, one: Place, other: Place): Promise<void> {
  assert.equal(await presence.join(...one, 'tab-1'), true);
  assert.equal(await presence.join(...other, 'tab-2'), true, 'first at the other place too');
  assert.equal(await presence.leave(...other, 'tab-1'), false, "an id registered at one place is not the other's");
  assert.equal(await presence.leave(...one, 'tab-1'), true);
  assert.equal(await presence.isOnline(...one), false);
  assert.equal(await presence.isOnline(...other), true, 'the last leave at one place does not end the other');
}

/** Registers `describe(name)` with every contract case. */
export function presenceContract(name: string, make: PresenceFactory): void {
  describe(name, () => {
    async function open(t: TestContext): Promise<PresenceRegistry> {
      const [presence, cleanup] = await make();
      t.after(cleanup);
      return presence;
    }

    it("a user's first connection in a room is the first, a second one is not", async (t) => {
      const presence = await open(t);
      const room = freshRoom();
      assert.equal(await presence.join(room, mentor, 'tab-1'), true);
      assert.equal(await presence.join(room, mentor, 'tab-2'), false);
    });

    it('leaving reports the last connection only', async (t) => {
      const presence = await open(t);
      const room = freshRoom();
      await presence.join(room, mentor, 'tab-1');
      await presence.join(room, mentor, 'tab-2');
      assert.equal(await presence.leave(room, mentor, 'tab-1'), false, 'another tab remains');
      assert.equal(await presence.leave(room, mentor, 'tab-2'), true, 'the last tab left');
      assert.equal(await presence.join(room, mentor, 'tab-3'), true, 'after the last left, the next is first again');
    });

    it('leaving with an id that is not registered reports nothing', async (t) => {
      const presence = await open(t);
      const room = freshRoom();
      assert.equal(await presence.leave(room, mentor, 'never-joined'), false, 'nobody was there');
      await presence.join(room, mentor, 'tab-1');
      assert.equal(await presence.leave(room, mentor, 'never-joined'), false, 'an unknown id beside a known one');
      assert.equal(await presence.isOnline(room, mentor), true, 'the known one still counts');
      assert.equal(await presence.leave(room, mentor, 'tab-1'), true);
      assert.equal(await presence.leave(room, mentor, 'tab-1'), false, 'a repeated leave is no second edge');
    });

    it('is online from the first join until the last leave', async (t) => {
      const presence = await open(t);
      const room = freshRoom();
      assert.equal(await presence.isOnline(room, mentor), false, 'before any join');
      await presence.join(room, mentor, 'tab-1');
      assert.equal(await presence.isOnline(room, mentor), true, 'after the first join');
      await presence.join(room, mentor, 'tab-2');
      await presence.leave(room, mentor, 'tab-1');
      assert.equal(await presence.isOnline(room, mentor), true, 'while one tab remains');
      await presence.leave(room, mentor, 'tab-2');
      assert.equal(await presence.isOnline(room, mentor), false, 'after the last leave');
    });

    it('two users of one room are independent', async (t) => {
      const room = freshRoom();
      await assertIndependent(await open(t), [room, mentor], [room, mentee]);
    });

    it('two rooms are independent', async (t) => {
      await assertIndependent(await open(t), [freshRoom(), mentor], [freshRoom(), mentor]);
    });

    it('of two connections joining at once, exactly one is first', async (t) => {
      const presence = await open(t);
      const room = freshRoom();
      const firsts = await Promise.all([presence.join(room, mentor, 'tab-1'), presence.join(room, mentor, 'tab-2')]);
      assert.deepEqual(firsts.sort(), [false, true]);
    });

    it('close resolves, and again when called twice', async (t) => {
      const presence = await open(t);
      await presence.join(freshRoom(), mentor, 'tab-1');
      // A close that hangs or rejects fails here, by name, rather than at the runner's timeout.
      assert.equal(await within(presence.close(), () => 'the first close'), undefined);
      assert.equal(await within(presence.close(), () => 'the second close'), undefined);
    });
  });
}
