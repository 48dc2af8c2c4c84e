/**
 * The write coalescer on a real loopback socket: what a turn writes (from callbacks and from
 * the promise reactions they start) is corked, not written one write at a time, and is handed
 * to the kernel before the event loop goes on; `flush` writes at once; nothing is lost or
 * reordered. Uncorked, a small write on loopback leaves nothing unsent, so each assertion on
 * `writableLength` fails without the coalescer.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';
import { it } from 'node:test';
import { WriteCoalescer } from '../src/transport/write-coalescer.js';

async function socketPair(t: {
  after(fn: () => void): void;
}): Promise<{ writer: Socket; received: () => string; receivedLength: (length: number) => Promise<void> }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const writer = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
  await once(writer, 'connect');
  const [reader] = await accepted;
  let text = '';
  const waiting: Array<[number, () => void]> = [];
  reader.setEncoding('utf8');
  reader.on('data', (chunk: string) => {
    text += chunk;
    for (const [length, resolve] of waiting.splice(0)) {
      if (text.length >= length) resolve();
      else waiting.push([length, resolve]);
    }
  });
  t.after(() => {
    writer.destroy();
    reader.destroy();
    server.close();
  });
  return {
    writer,
    received: () => text,
    receivedLength: (length) => (text.length >= length ? Promise.resolve() : new Promise((resolve) => waiting.push([length, resolve]))),
  };
}

it('corks a turn’s writes, from callbacks and the promise reactions after them, and writes them before the next turn', async (t) => {
  const { writer, received, receivedLength } = await socketPair(t);
  const writes = new WriteCoalescer().for(writer);
  const corkedDuringTurn: number[] = [];
  let unsentNextTurn = -1;
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      writes.cork();
      writer.write('a1;');
      writes.cork();
      writer.write('a2;');
      corkedDuringTurn.push(writer.writableLength);
      void Promise.resolve().then(() => {
        writes.cork();
        writer.write('b1;');
        corkedDuringTurn.push(writer.writableLength);
        return Promise.resolve().then(() => {
          writes.cork();
          writer.write('c1;');
          corkedDuringTurn.push(writer.writableLength);
        });
      });
      setImmediate(() => {
        unsentNextTurn = writer.writableLength;
        resolve();
      });
    });
  });
  assert.deepEqual(corkedDuringTurn, [6, 9, 12], 'corked, not written, through the turn');
  assert.equal(unsentNextTurn, 0, 'written before the next turn');
  await receivedLength(12);
  assert.equal(received(), 'a1;a2;b1;c1;');
});

it('flush writes what is corked at once, and later writes of the turn are corked again', async (t) => {
  const { writer, received, receivedLength } = await socketPair(t);
  const writes = new WriteCoalescer().for(writer);
  writes.cork();
  writer.write('x'.repeat(100));
  assert.equal(writer.writableLength, 100);
  writes.flush();
  assert.equal(writer.writableLength, 0);
  writes.cork();
  writer.write('y'.repeat(10));
  assert.equal(writer.writableLength, 10);
  await receivedLength(110);
  assert.equal(received(), 'x'.repeat(100) + 'y'.repeat(10));
});

it('corks many sockets in one turn and uncorks each', async (t) => {
  const coalescer = new WriteCoalescer();
  const pairs = await Promise.all(Array.from({ length: 5 }, () => socketPair(t)));
  for (const [index, { writer }] of pairs.entries()) {
    const writes = coalescer.for(writer);
    writes.cork();
    writer.write(`to ${index};`);
  }
  assert.deepEqual(
    pairs.map(({ writer }) => writer.writableLength > 0),
    [true, true, true, true, true],
  );
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    pairs.map(({ writer }) => writer.writableLength),
    [0, 0, 0, 0, 0],
  );
  await Promise.all(pairs.map(({ receivedLength }, index) => receivedLength(`to ${index};`.length)));
  assert.deepEqual(
    pairs.map(({ received }) => received()),
    pairs.map((_, index) => `to ${index};`),
  );
});
