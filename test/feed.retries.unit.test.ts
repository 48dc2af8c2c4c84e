/**
 * A retry's answer among the connection's messages (rule 2 in src/chat/message-feed.ts):
 * the original message, once and in `seq` order. Frames are `L<seq>` live, `S<seq>` read
 * from the store, `O<seq>` the original answering a retry, anything else an error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Source, Wire, feedOn, settle } from './helpers/feed.js';

describe('message feed: a retry is answered by its original, once and in seq order', () => {
  it('not sent again when the connection already had it', async () => {
    const wire = new Wire();
    const { feed } = feedOn(new Source(3), wire);
    feed.offer(1, 'L1');
    feed.offer(2, 'L2');
    feed.own().original(1, 'O1');
    feed.offer(3, 'L3');
    await feed.drained();
    assert.deepEqual(wire.frames, ['L1', 'L2', 'L3']);
  });

  it('delivered in its place when the connection has not reached it yet', async () => {
    const source = new Source(2);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    feed.own().original(2, 'O2');
    feed.queue('E1');
    await settle();
    assert.deepEqual(wire.frames, ['S1', 'S2', 'E1'], 'read in order, then the error behind it');
  });

  it('never after a later message, even when it was found while a message before it was being stored', async () => {
    const wire = new Wire();
    const { feed } = feedOn(new Source(5), wire);
    feed.startAfter(2);
    const earlier = feed.own();
    feed.own().original(2, 'O2'); // stored before this connection started
    feed.offer(3, 'L3');
    earlier.stored(3);
    await feed.drained();
    assert.deepEqual(wire.frames, ['L3'], 'seq 2 would come after seq 3');
  });

  it('from before the connection started, sent while nothing later went out, and each seq once', async () => {
    const wire = new Wire();
    const { feed } = feedOn(new Source(5), wire);
    feed.startAfter(4);
    feed.own().original(2, 'O2');
    feed.own().original(2, 'O2');
    feed.own().original(1, 'O1');
    feed.own().original(3, 'O3');
    feed.offer(5, 'L5');
    await feed.drained();
    assert.deepEqual(wire.frames, ['O2', 'O3', 'L5']);
  });
});
