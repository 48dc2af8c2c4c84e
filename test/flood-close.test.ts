/** A connection closed for flooding gets the echoes of everything it had stored before the close frame. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startWithConnectedPair } from './helpers/pair.js';

describe('flood close', () => {
  it('echoes every stored message of a 200-frame burst before closing with 1008', async (t) => {
    // Refills of one token a second and a close after 20 refusals in a row: a loaded machine
    // that spreads the burst out cannot slip a refilled token between the refusals.
    const { server, menteeSocket } = await startWithConnectedPair(t, { WS_RATE_PER_SECOND: '1', WS_USER_RATE_PER_SECOND: '1', WS_FLOOD_CLOSE_AFTER: '20' });
    for (let i = 0; i < 200; i++) menteeSocket.send({ type: 'chat_message', content: `burst ${i}`, client_id: `burst-${i}` });
    const closed = await menteeSocket.closedWithin();
    assert.equal(closed.code, 1008);
    const pair = (await server.tandem.store.matches.list())[0]!;
    const stored = await server.tandem.store.messages.after(pair.pairId, 0, 1000);
    assert.ok(stored.length > 0, 'the burst stored something before the limit');
    const echoed = menteeSocket.frames.filter((f) => f.type === 'chat_message');
    assert.deepEqual(
      echoed.map((f) => [f.seq, f.client_id]),
      stored.map((m) => [m.seq, m.clientId]),
      'every stored message was echoed, in order, before the close frame',
    );
    const refused = menteeSocket.frames.filter((f) => f.type === 'error');
    assert.ok(refused.every((f) => f.code === 'rate_limited'));
    t.diagnostic(`stored ${stored.length}, echoed ${echoed.length}, refused ${refused.length} before the close`);
  });
});
