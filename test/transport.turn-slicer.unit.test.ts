/**
 * The turn slicer's two lanes: tasks pushed ahead run first, but a lane ahead that is full
 * every turn (talking sockets put off turn after turn) leaves the other lane a quarter of each
 * turn, and with one task per turn the two take turns; nothing runs twice or is lost.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { TurnSlicer } from '../src/transport/turn-slicer.js';

/** Runs `turns` turns in which `perTurn` tasks are pushed ahead each turn; returns in which turn each queued task ran. */
async function saturated(perTurn: number, queued: number, turns: number): Promise<{ ranIn: number[]; aheadRan: number; aheadPushed: number }> {
  const errors: unknown[] = [];
  const slicer = new TurnSlicer(perTurn, (error) => errors.push(error));
  let turn = 0;
  let aheadRan = 0;
  let aheadPushed = 0;
  const ranIn: number[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      turn++;
      // The lane ahead never empties: as many again as a turn can run.
      for (let i = 0; i < perTurn; i++) {
        aheadPushed++;
        slicer.pushAhead(() => aheadRan++);
      }
      // Queued behind a lane ahead that is already full.
      if (turn === 1) for (let i = 0; i < queued; i++) slicer.push(() => ranIn.push(turn));
      if (turn < turns) setImmediate(tick);
      else resolve();
    };
    setImmediate(tick);
  });
  assert.deepEqual(errors, []);
  return { ranIn, aheadRan, aheadPushed };
}

it('gives the queued tasks a quarter of each turn while the lane ahead stays full', async () => {
  const { ranIn, aheadRan } = await saturated(8, 6, 10);
  assert.equal(ranIn.length, 6, `queued tasks ran in turns ${JSON.stringify(ranIn)}`);
  assert.ok(Math.max(...ranIn) <= 5, `two per turn: ran in turns ${JSON.stringify(ranIn)}`);
  assert.ok(aheadRan >= 6 * 8 * 0.75 - 8, `the lane ahead kept three quarters: ${aheadRan} ran`);
});

it('alternates the lanes at one task per turn', async () => {
  const { ranIn, aheadRan } = await saturated(1, 3, 10);
  assert.equal(ranIn.length, 3, `queued tasks ran in turns ${JSON.stringify(ranIn)}`);
  assert.ok(aheadRan >= 3, `the lane ahead ran too: ${aheadRan}`);
});

it('runs the lane ahead first when there is room for both, and each task once', async () => {
  const order: string[] = [];
  const slicer = new TurnSlicer(4, (error) => assert.fail(String(error)));
  slicer.push(() => order.push('queued 1'));
  slicer.push(() => order.push('queued 2'));
  slicer.pushAhead(() => order.push('ahead 1'));
  slicer.pushAhead(() => order.push('ahead 2'));
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(order, ['ahead 1', 'ahead 2', 'queued 1', 'queued 2']);
  assert.equal(slicer.size, 0);
});
