/**
 * The message feed under any mix of live messages (also ones a misbehaving instance would
 * publish), own messages, retries, errors and catch-ups, against a store with holes: it makes
 * progress or gives up, and whatever it sends keeps rule 1 (src/chat/message-feed.ts).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import { Source, Wire, feedOn, settle } from './helpers/feed.js';

const STORED = 12;

type Op =
  | { op: 'live'; seq: number }
  | { op: 'own'; then: 'stored' | 'original' | 'answer'; seq: number }
  | { op: 'error' }
  | { op: 'catchUp'; seq: number }
  | { op: 'settle' };

const seq = fc.integer({ min: 1, max: STORED + 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('live' as const), seq }),
  fc.record({ op: fc.constant('own' as const), then: fc.constantFrom('stored' as const, 'original' as const, 'answer' as const), seq }),
  fc.record({ op: fc.constant('error' as const) }),
  fc.record({ op: fc.constant('catchUp' as const), seq }),
  fc.record({ op: fc.constant('settle' as const) }),
);

const scenario = fc.record({
  start: fc.integer({ min: 0, max: 4 }),
  missing: fc.uniqueArray(fc.integer({ min: 1, max: STORED }), { maxLength: 3 }),
  pageSize: fc.integer({ min: 1, max: 4 }),
  ops: fc.array(op, { maxLength: 30 }),
});

it('whatever comes, the feed ends with each seq once, in order, never past a hole, in a bounded number of reads', async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async ({ start, missing, pageSize, ops }) => {
      const source = new Source(STORED);
      for (const seq of missing) source.missing.add(seq);
      const wire = new Wire();
      const { feed, failures, gaps } = feedOn(source, wire, { pageSize });
      feed.startAfter(start);
      for (const step of ops) {
        if (step.op === 'live') feed.offer(step.seq, `L${step.seq}`);
        if (step.op === 'own') {
          const own = feed.own();
          if (step.then === 'stored') own.stored(step.seq);
          if (step.then === 'original') own.original(step.seq, `O${step.seq}`);
          if (step.then === 'answer') own.answer('R');
        }
        if (step.op === 'error') feed.queue('E');
        if (step.op === 'catchUp') void feed.catchUpTo(step.seq);
        if (step.op === 'settle') await settle();
      }
      let drained = false;
      void feed.drained().then(() => (drained = true));
      for (let i = 0; i < 20 && !drained; i++) await settle();
      assert.ok(drained, 'every slot ended: delivered, passed, or the feed gave up');
      assert.deepEqual(failures, [], 'no read failed (the source refuses a feed that reads in a loop)');
      assert.ok(gaps.length <= 1);
      assert.ok(source.calls.length <= (ops.length + 1) * (Math.ceil(STORED / pageSize) + 2), `${source.calls.length} reads`);

      const messages = wire.frames.filter((frame) => /^[LSO]\d+$/.test(frame));
      const seqs = messages.map((frame) => Number(frame.slice(1)));
      for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `in order, once: ${messages.join(' ')}`);
      const originals = messages.filter((frame) => frame.startsWith('O')).map((frame) => Number(frame.slice(1)));
      assert.ok(
        originals.every((seq) => seq <= start),
        'an original goes out by itself only from before the start',
      );
      const delivered = seqs.filter((seq) => seq > start);
      assert.deepEqual(
        delivered,
        delivered.map((_, i) => start + 1 + i),
        'from the start on, no seq skipped',
      );
      for (const frame of messages.filter((text) => text.startsWith('S'))) assert.ok(!source.missing.has(Number(frame.slice(1))), `${frame} is stored`);
    }),
    { numRuns: 300 },
  );
});
