/**
 * The message feed without a socket or a store: a fake `send` records frames and decides
 * when each is written, and a tiny in-memory source answers `messages.after`. Live frames
 * are `L<seq>`, frames read from the store `S<seq>`, anything else is an error frame.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAIR, Source, Wire, feedOn, settle } from './helpers/feed.js';

describe('message feed: each message once, in seq order', () => {
  it('hands live messages over in order without reading the store', () => {
    const source = new Source(3);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    for (const seq of [1, 2, 3]) feed.offer(seq, `L${seq}`);
    assert.deepEqual(wire.frames, ['L1', 'L2', 'L3']);
    assert.equal(source.calls.length, 0);
  });

  it('fills a gap from the store, holding later live messages and not repeating them', async () => {
    const source = new Source(5);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    feed.offer(1, 'L1');
    source.hold();
    feed.offer(4, 'L4');
    // While the gap is read: later, repeated and late live messages.
    feed.offer(5, 'L5');
    feed.offer(4, 'L4');
    feed.offer(3, 'L3');
    assert.deepEqual(wire.frames, ['L1'], 'nothing passes the gap while it is read');
    source.release();
    await settle();
    assert.deepEqual(wire.frames, ['L1', 'S2', 'S3', 'L4', 'L5']);
    assert.deepEqual(source.calls, [[PAIR, 1, 2]], 'only the missing messages are read');
  });

  it('puts reordered live arrivals back in order', async () => {
    const source = new Source(3);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    feed.offer(2, 'L2');
    feed.offer(3, 'L3');
    feed.offer(1, 'L1');
    await settle();
    assert.deepEqual(wire.frames, ['S1', 'L2', 'L3']);
  });

  it('drops repeated and stale live messages', () => {
    const source = new Source(3);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    feed.startAfter(1);
    for (const seq of [1, 2, 2, 3, 2, 3]) feed.offer(seq, `L${seq}`);
    assert.deepEqual(wire.frames, ['L2', 'L3']);
  });

  it('catches up page by page, reading each page only once the previous one was written', async () => {
    const source = new Source(8);
    const wire = new Wire(true);
    const { feed } = feedOn(source, wire, { pageSize: 3 });
    feed.startAfter(1);
    let done = false;
    void feed.catchUpTo(8).then(() => (done = true));
    await settle();
    assert.deepEqual(wire.frames, ['S2', 'S3', 'S4']);
    assert.equal(source.calls.length, 1, 'the next page waits for the socket');
    wire.writeAll();
    await settle();
    assert.deepEqual(wire.frames, ['S2', 'S3', 'S4', 'S5', 'S6', 'S7']);
    assert.deepEqual(source.calls, [
      [PAIR, 1, 3],
      [PAIR, 4, 3],
    ]);
    wire.writeAll();
    await settle();
    assert.deepEqual(wire.frames.slice(6), ['S8']);
    assert.deepEqual(source.calls[2], [PAIR, 7, 1], 'the last page asks for no more than is missing');
    assert.equal(done, false, 'the catch-up ends once its last page was written');
    wire.writeAll();
    await settle();
    assert.equal(done, true);
  });

  it('a resume racing live messages delivers each once, in order', async () => {
    const source = new Source(4);
    const wire = new Wire(true);
    const { feed } = feedOn(source, wire, { pageSize: 1 });
    feed.startAfter(1); // resumed after seq 1; the pair stood at 4 when the session started
    void feed.catchUpTo(4);
    await settle();
    // Live messages arrive during the catch-up: ones it is about to read, and newer ones.
    source.grow(6);
    feed.offer(3, 'L3');
    feed.offer(5, 'L5');
    wire.writeAll();
    await settle();
    feed.offer(4, 'L4');
    feed.offer(6, 'L6');
    for (let i = 0; i < 4; i++) {
      wire.writeAll();
      await settle();
    }
    assert.deepEqual(wire.frames, ['S2', 'S3', 'S4', 'L5', 'L6']);
    feed.offer(7, 'L7');
    assert.deepEqual(wire.frames.slice(5), ['L7'], 'live again once the catch-up is over');
  });
});

describe('message feed: an error after the echoes of earlier own messages', () => {
  it('goes out at once when nothing of this connection is pending', () => {
    const wire = new Wire();
    const { feed } = feedOn(new Source(0), wire);
    feed.queue('E1');
    assert.deepEqual(wire.frames, ['E1']);
  });

  it('waits behind an own message until it is stored and its echo went out', async () => {
    const source = new Source(3);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    feed.startAfter(2);
    const own = feed.own();
    feed.queue('E1');
    feed.offer(3, 'L3'); // the echo comes back before the store has answered
    assert.deepEqual(wire.frames, ['L3'], 'the error waits for the store to answer');
    let drained = false;
    void feed.drained().then(() => (drained = true));
    own.stored(3);
    assert.deepEqual(wire.frames, ['L3', 'E1']);
    await settle();
    assert.equal(drained, true);
    assert.equal(source.calls.length, 0);
  });

  it('reads the echo from the store when it does not come live, then sends the error', async () => {
    const source = new Source(3);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    feed.startAfter(2);
    const own = feed.own();
    feed.queue('E1');
    own.stored(3);
    await settle();
    feed.offer(3, 'L3');
    assert.deepEqual(wire.frames, ['S3', 'E1']);
  });

  it('reads nothing from the store while only own messages wait behind an echo in flight', async () => {
    const source = new Source(4);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    const owns = [feed.own(), feed.own(), feed.own(), feed.own()];
    // Stored and published, but the layer has not brought the echoes back yet.
    owns.forEach((own, index) => own.stored(index + 1));
    await settle();
    assert.equal(source.calls.length, 0, 'a window of messages in flight costs no store read');
    for (let seq = 1; seq <= 4; seq++) feed.offer(seq, `L${seq}`);
    assert.deepEqual(wire.frames, ['L1', 'L2', 'L3', 'L4']);
    await feed.drained();
    assert.equal(source.calls.length, 0);
  });

  it('keeps errors and refusals in the order their frames came, behind earlier own messages only', async () => {
    const source = new Source(5);
    const wire = new Wire();
    const { feed } = feedOn(source, wire);
    const first = feed.own();
    feed.queue('E1');
    const refused = feed.own();
    feed.queue('E2');
    refused.answer('R2'); // answered before the earlier message: still waits its turn
    assert.deepEqual(wire.frames, []);
    feed.offer(1, 'L1'); // the partner's message passes: the queue holds errors, not messages
    assert.deepEqual(wire.frames, ['L1']);
    feed.offer(2, 'L2');
    first.stored(2);
    assert.deepEqual(wire.frames, ['L1', 'L2', 'E1', 'R2', 'E2']);
    await feed.drained();
  });
});

describe('message feed: failures and the end', () => {
  it('reports a failed store read once and sends nothing more', async () => {
    const source = new Source(9);
    source.failWith = new Error('store down');
    const wire = new Wire();
    const { feed, failures } = feedOn(source, wire);
    feed.offer(1, 'L1');
    feed.offer(3, 'L3');
    void feed.catchUpTo(9);
    await settle();
    feed.offer(2, 'L2');
    feed.offer(5, 'L5');
    feed.queue('E1');
    await feed.catchUpTo(9);
    await settle();
    assert.equal(failures.length, 1);
    assert.equal((failures[0] as Error).message, 'store down');
    assert.deepEqual(wire.frames, ['L1']);
    assert.equal(source.calls.length, 1);
  });

  it('sends nothing after stop, even from a read in flight, and resolves drained()', async () => {
    const source = new Source(5);
    const wire = new Wire();
    const { feed, failures } = feedOn(source, wire);
    feed.offer(1, 'L1');
    const own = feed.own();
    feed.queue('E1');
    source.hold();
    void feed.catchUpTo(5);
    const drained = feed.drained();
    feed.stop();
    await drained;
    source.release();
    await settle();
    feed.offer(6, 'L6');
    feed.offer(2, 'L2');
    feed.queue('E2');
    own.stored(2);
    own.answer('R');
    await settle();
    assert.deepEqual(wire.frames, ['L1']);
    assert.deepEqual(failures, []);
  });
});
