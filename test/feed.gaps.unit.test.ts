/**
 * The message feed against a store that cannot fill a gap (rule 1 in
 * src/chat/message-feed.ts): it gives up after a bounded number of reads, never loops. The
 * store is the feed's one-method source interface, faked in test/helpers/feed.ts; frames are
 * `L<seq>` live, `S<seq>` read, anything else an error.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsText } from '../src/metrics.js';
import { Source, Wire, feedOn, settle } from './helpers/feed.js';

const GAPS_METRIC = 'tandem_message_gaps_unfilled_total';

async function gapsCounted(): Promise<number> {
  const line = (await metricsText()).split('\n').find((text) => text.startsWith(`${GAPS_METRIC} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

describe('message feed: a gap the store cannot fill ends the feed, never a loop', () => {
  it('a live message far ahead of the store: two reads, then the gap is reported once and nothing more is sent', async () => {
    const source = new Source(1); // the store holds seq 1 only
    const wire = new Wire();
    const { feed, failures, gaps } = feedOn(source, wire);
    const counted = await gapsCounted();
    feed.offer(1, 'L1');
    feed.offer(1000, 'L1000');
    await settle();
    assert.deepEqual(failures, [], `the feed kept reading: ${source.calls.length} reads`);
    assert.deepEqual(gaps, [{ afterSeq: 1, untilSeq: 999 }]);
    assert.equal(source.calls.length, 2, 'read, read once more, give up');
    assert.equal(await gapsCounted(), counted + 1);
    feed.offer(1001, 'L1001');
    feed.offer(2, 'L2');
    feed.queue('E1');
    await feed.catchUpTo(2000);
    assert.deepEqual(wire.frames, ['L1'], 'a feed that gave up sends nothing');
    assert.equal(source.calls.length, 2);
    assert.equal(gaps.length, 1);
  });

  it('a hole in the middle of the stored messages: delivers up to it, then gives up', async () => {
    const source = new Source(9);
    source.missing.add(5);
    const wire = new Wire();
    const { feed, gaps } = feedOn(source, wire, { pageSize: 2 });
    feed.offer(9, 'L9');
    await settle();
    assert.deepEqual(wire.frames, ['S1', 'S2', 'S3', 'S4']);
    assert.deepEqual(gaps, [{ afterSeq: 4, untilSeq: 8 }]);
    assert.ok(source.calls.length <= 4, `${source.calls.length} reads`);
  });

  it('a catch-up (resume, layer reconnect, delivery check) to a seq the store does not reach gives up the same way', async () => {
    const source = new Source(3);
    const wire = new Wire();
    const { feed, gaps, failures } = feedOn(source, wire);
    await feed.catchUpTo(7, 'check');
    assert.deepEqual(wire.frames, ['S1', 'S2', 'S3']);
    assert.deepEqual(gaps, [{ afterSeq: 3, untilSeq: 7 }]);
    assert.deepEqual(failures, []);
    assert.ok(source.calls.length <= 3);
  });

  it('a store that lags once is read again and the feed goes on', async () => {
    const source = new Source(1);
    const wire = new Wire();
    const { feed, gaps } = feedOn(source, wire);
    feed.offer(1, 'L1');
    feed.offer(4, 'L4'); // the first read finds nothing…
    source.hold();
    await settle();
    source.grow(4); // …the messages are there for the second
    source.release();
    await settle();
    assert.deepEqual(gaps, []);
    assert.deepEqual(wire.frames, ['L1', 'S2', 'S3', 'L4']);
    assert.deepEqual(
      source.calls.map(([, after]) => after),
      [1, 1],
    );
  });
});
