/**
 * The read budget on real sockets: forty clients write at once; the server's sockets are read
 * at most `perTurn` times in a poll phase plus `perTurn` resumed in the check phase, every
 * byte arrives once and in order, and each socket's end comes after its last byte; the ends,
 * which also arrive together, are spread over turns the same way.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { it } from 'node:test';
import { ReadBudget } from '../src/chat/read-budget.js';
import { TurnSlicer } from '../src/chat/turn-slicer.js';

const CLIENTS = 40;
const PER_TURN = 4;

it(`reads at most ${2 * PER_TURN} sockets per turn under a storm of ${CLIENTS}, losing and reordering nothing`, async (t) => {
  const errors: unknown[] = [];
  const budget = new ReadBudget(PER_TURN, new TurnSlicer(PER_TURN, (error) => errors.push(error)));
  // Turns counted by the check phase: each read is tagged with the turn it happened in.
  let turn = 0;
  let counting = true;
  const tick = () => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  const readsPerTurn = new Map<number, number>();
  const endsPerTurn = new Map<number, number>();
  const received: string[] = [];
  const ended: boolean[] = [];
  let complete = 0;
  let allRead$: () => void;
  const allRead = new Promise<void>((resolve) => (allRead$ = resolve));
  let accepted = 0;
  let allAccepted: () => void;
  const accepting = new Promise<void>((resolve) => (allAccepted = resolve));
  const allEnded = new Promise<void>((resolve) => {
    let left = CLIENTS;
    const server = createServer((socket) => {
      if (++accepted === CLIENTS) allAccepted();
      socket.setEncoding('utf8');
      let index = -1;
      socket.on('data', (chunk: string) => {
        readsPerTurn.set(turn, (readsPerTurn.get(turn) ?? 0) + 1);
        if (index < 0) index = Number(/^(\d+):/.exec(chunk)![1]);
        received[index] = (received[index] ?? '') + chunk;
        if (received[index]!.endsWith(`second half of ${index}`) && ++complete === CLIENTS) allRead$();
      });
      socket.on('end', () => {
        endsPerTurn.set(turn, (endsPerTurn.get(turn) ?? 0) + 1);
        ended[index] = true;
        socket.end();
        if (--left === 0) resolve();
      });
      budget.govern(socket);
    });
    t.after(() => server.close());
    server.listen(0, '127.0.0.1', async () => {
      const { port } = server.address() as AddressInfo;
      const clients: Socket[] = await Promise.all(
        Array.from({ length: CLIENTS }, async () => {
          const client = createConnection(port, '127.0.0.1');
          await once(client, 'connect');
          return client;
        }),
      );
      // Node accepts one connection per turn: the storm starts once the server holds them all.
      await accepting;
      // All at once: the first halves in one turn, the second halves in the next; once the
      // server has read everything, the ends, all in one turn (a close storm's FINs).
      clients.forEach((client, i) => client.write(`${i}:first half;`));
      setImmediate(() => clients.forEach((client, i) => client.write(`second half of ${i}`)));
      await allRead;
      clients.forEach((client) => client.end());
    });
  });
  await allEnded;
  counting = false;
  assert.deepEqual(errors, []);
  assert.deepEqual(received, Array.from({ length: CLIENTS }, (_, i) => `${i}:first half;second half of ${i}`));
  assert.equal(ended.filter(Boolean).length, CLIENTS);
  const most = Math.max(...readsPerTurn.values());
  assert.ok(most <= 2 * PER_TURN, `${most} reads in one turn: ${JSON.stringify([...readsPerTurn])}`);
  // The ends of input, which all arrive together too, are spread the same way.
  const mostEnds = Math.max(...endsPerTurn.values());
  assert.ok(mostEnds <= 2 * PER_TURN, `${mostEnds} ends in one turn: ${JSON.stringify([...endsPerTurn])}`);
});
