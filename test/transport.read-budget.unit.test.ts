/**
 * The read budget on real sockets: forty clients write at once; the server's sockets are read
 * at most `perTurn` times in a poll phase plus `perTurn` resumed in the check phase, every
 * byte arrives once and in order, and each socket's end comes after its last byte; the ends,
 * which also arrive together, are spread over turns the same way. A socket that was talking
 * when a storm of quiet ones put it off is resumed ahead of them.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { it } from 'node:test';
import { ReadBudget } from '../src/transport/read-budget.js';
import { TurnSlicer } from '../src/transport/turn-slicer.js';

const CLIENTS = 40;
const PER_TURN = 4;

/** A budget of `perTurn`, with the errors its slicer heard. */
function budgetOf(perTurn: number): { budget: ReadBudget; errors: unknown[] } {
  const errors: unknown[] = [];
  return { budget: new ReadBudget(perTurn, new TurnSlicer(perTurn, (error) => errors.push(error))), errors };
}

/** Event-loop turns, counted in the check phase until `stop`. */
function countTurns(): { now(): number; stop(): void } {
  let turn = 0;
  let counting = true;
  const tick = () => {
    turn++;
    if (counting) setImmediate(tick);
  };
  setImmediate(tick);
  return { now: () => turn, stop: () => (counting = false) };
}

it(`reads at most ${2 * PER_TURN} sockets per turn under a storm of ${CLIENTS}, losing and reordering nothing`, async (t) => {
  const { budget, errors } = budgetOf(PER_TURN);
  // Turns counted by the check phase: each read is tagged with the turn it happened in.
  const turns = countTurns();
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
        readsPerTurn.set(turns.now(), (readsPerTurn.get(turns.now()) ?? 0) + 1);
        if (index < 0) index = Number(/^(\d+):/.exec(chunk)![1]);
        received[index] = (received[index] ?? '') + chunk;
        if (received[index]!.endsWith(`second half of ${index}`) && ++complete === CLIENTS) allRead$();
      });
      socket.on('end', () => {
        endsPerTurn.set(turns.now(), (endsPerTurn.get(turns.now()) ?? 0) + 1);
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
  turns.stop();
  assert.deepEqual(errors, []);
  assert.deepEqual(
    received,
    Array.from({ length: CLIENTS }, (_, i) => `${i}:first half;second half of ${i}`),
  );
  assert.equal(ended.filter(Boolean).length, CLIENTS);
  const most = Math.max(...readsPerTurn.values());
  assert.ok(most <= 2 * PER_TURN, `${most} reads in one turn: ${JSON.stringify([...readsPerTurn])}`);
  // The ends of input, which all arrive together too, are spread the same way.
  const mostEnds = Math.max(...endsPerTurn.values());
  assert.ok(mostEnds <= 2 * PER_TURN, `${mostEnds} ends in one turn: ${JSON.stringify([...endsPerTurn])}`);
});

it('resumes a talking socket put off by a storm of quiet ones ahead of them', async (t) => {
  const { budget, errors } = budgetOf(PER_TURN);
  // Turns counted by the check phase: each read is tagged with the turn it happened in.
  const turns = countTurns();
  const reads: Array<{ who: string; turn: number }> = [];
  let readsWanted = 0;
  let allRead$: () => void = () => {};
  const server = createServer();
  t.after(() => server.close());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const serverSockets: Socket[] = [];
  server.on('connection', (socket: Socket) => {
    serverSockets.push(socket);
    socket.on('data', (chunk: Buffer) => {
      reads.push({ who: chunk.toString('utf8'), turn: turns.now() });
      if (reads.length === readsWanted) allRead$();
    });
    budget.govern(socket);
  });
  const { port } = server.address() as AddressInfo;
  const clients = await Promise.all(
    Array.from({ length: CLIENTS + 1 }, async () => {
      const client = createConnection(port, '127.0.0.1');
      await once(client, 'connect');
      t.after(() => client.destroy());
      return client;
    }),
  );
  while (serverSockets.length < clients.length) await new Promise((resolve) => setImmediate(resolve));
  const [talking, ...quiet] = serverSockets;
  const readAll = (count: number) =>
    new Promise<void>((resolve) => {
      readsWanted = reads.length + count;
      allRead$ = resolve;
    });
  // The socket talked a moment ago (the others never did)…
  let read = readAll(1);
  talking!.emit('data', Buffer.from('talking: hello'));
  await read;
  // …then one poll phase brings the quiet sockets' input and, last, the talking socket's: the
  // budget is spent long before its turn comes. (Emitted in that order, as the poll phase
  // would call the listeners, so that the order is the test's and not the kernel's.)
  await new Promise((resolve) => setImmediate(resolve));
  read = readAll(CLIENTS + 1);
  quiet.forEach((socket, i) => socket.emit('data', Buffer.from(`quiet ${i}`)));
  talking!.emit('data', Buffer.from('talking: a chat frame'));
  await read;
  turns.stop();
  assert.deepEqual(errors, []);
  const storm = reads.slice(1);
  const first = storm[0]!.turn;
  const talkingTurn = storm.find((r) => r.who === 'talking: a chat frame')!.turn;
  const lastQuiet = Math.max(...storm.filter((r) => r.who.startsWith('quiet')).map((r) => r.turn));
  assert.ok(lastQuiet - first >= CLIENTS / PER_TURN - 1, `the quiet sockets were spread over turns ${first} to ${lastQuiet}`);
  assert.ok(talkingTurn - first <= 1, `the talking socket was read in turn ${talkingTurn}, the storm from turn ${first} to ${lastQuiet}`);
});
