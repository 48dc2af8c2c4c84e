/**
 * Readable logs: the formatter turns pino's JSON lines into short lines (a request as
 * `METHOD url status time`, an error with its stack, colour only when asked), passes other
 * text through, and never throws on any line.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import fc from 'fast-check';
import { formatLogLine, logStreamFor, readableLogStream } from '../src/http/log-format.js';

const at = new Date(2026, 11, 1, 9, 5, 7).getTime();
const plain = { color: false };

it('writes a message, its level and time, and the fields the message does not say', () => {
  const line = JSON.stringify({ level: 30, time: at, pid: 1, hostname: 'h', port: 8000, layer: 'memory', msg: 'Tandem is listening on http://127.0.0.1:8000' });
  assert.equal(formatLogLine(line, plain), '09:05:07 INFO  Tandem is listening on http://127.0.0.1:8000  layer=memory');
  const warn = JSON.stringify({ level: 40, time: at, msg: 'slow', detail: 'two words' });
  assert.equal(formatLogLine(warn, plain), '09:05:07 WARN  slow  detail="two words"');
});

it('names a finished request by its arrival, and shows nothing for the arrival itself', () => {
  const requests = new Map<string, string>();
  const arrival = JSON.stringify({ level: 30, time: at, reqId: 'r1', req: { method: 'GET', url: '/api/me' }, msg: 'incoming request' });
  const done = JSON.stringify({ level: 30, time: at, reqId: 'r1', res: { statusCode: 200 }, responseTime: 3.4, msg: 'request completed' });
  assert.equal(formatLogLine(arrival, plain, requests), null);
  assert.equal(formatLogLine(done, plain, requests), '09:05:07 INFO  GET /api/me 200 3ms');
  assert.equal(requests.size, 0, 'forgotten once finished');
});

it('shows an error with its stack under the line, in the level colour on a terminal', () => {
  const line = JSON.stringify({ level: 50, time: at, err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at here' }, msg: 'creating the admin' });
  assert.equal(formatLogLine(line, plain), '09:05:07 ERROR creating the admin\n    Error: boom\n        at here');
  const coloured = formatLogLine(line, { color: true })!;
  assert.match(coloured, /\u001b\[31mERROR/);
  assert.doesNotMatch(formatLogLine(line, plain)!, /\u001b/, 'no escape codes without colour');
});

it('passes through what is not a JSON object, and never throws', () => {
  assert.equal(formatLogLine('plain text', plain), 'plain text');
  assert.equal(formatLogLine('[1,2]', plain), '[1,2]');
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        fc.jsonValue().map((value) => JSON.stringify({ level: 30, msg: 'x', value })),
      ),
      (line) => {
        const out = formatLogLine(line, plain);
        assert.ok(out === null || typeof out === 'string');
      },
    ),
  );
});

it('keeps JSON lines unless LOG_FORMAT or a terminal asks for readable ones', async () => {
  const pipe = { isTTY: false, hasColors: () => false } as unknown as NodeJS.WriteStream;
  const terminal = { isTTY: true, hasColors: () => true, write: () => true } as unknown as NodeJS.WriteStream;
  assert.equal(logStreamFor('auto', pipe), undefined, 'a pipe gets JSON');
  assert.equal(logStreamFor('json', terminal), undefined, 'LOG_FORMAT=json on a terminal gets JSON');
  assert.ok(logStreamFor('auto', terminal));
  assert.ok(logStreamFor('pretty', pipe));

  let written = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      written += chunk.toString();
      done();
    },
  });
  const stream = readableLogStream(out, plain);
  const line = JSON.stringify({ level: 30, time: at, msg: 'split across writes' });
  stream.write(line.slice(0, 10));
  stream.write(`${line.slice(10)}\n`);
  await new Promise<void>((resolve) => stream.end(resolve));
  assert.equal(written, '09:05:07 INFO  split across writes\n');
});
