/**
 * The README's walk-through, run as written: the admin from its start command, every `curl`
 * line of its shell blocks (in order, with its cookie jars), the two `wscat` connections and
 * the frames typed after them, and the ending of the match. What Tom's side receives must be
 * the frames the README shows, once times are normalized and message ids renamed by order of
 * appearance — so the README cannot drift from the server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { startServer } from './helpers/server.js';
import { TestSocket, type Frame } from './helpers/socket.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('## A walk-through');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));

/** The fenced blocks of the walk-through, in order, with their info string. */
function blocks(): Array<{ info: string; lines: string[] }> {
  return [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ info: m[1]!, lines: m[2]!.trimEnd().split('\n') }));
}

interface Curl {
  method: string;
  path: string;
  body?: string;
  send?: string;
  save?: string;
}

/** A `curl` line of the walk-through: its method, path, body and cookie jars. */
function parseCurl(line: string): Curl {
  const body = /-d '([^']*)'/.exec(line)?.[1];
  const method = /-X (\w+)/.exec(line)?.[1] ?? (body === undefined ? 'GET' : 'POST');
  const path = /\$B(\/\S*)/.exec(line)?.[1];
  assert.ok(path, `a curl line names $B/…: ${line}`);
  const curl: Curl = { method, path };
  if (body !== undefined) curl.body = body;
  const send = /-b (\w+)\.jar/.exec(line)?.[1];
  const save = /-c (\w+)\.jar/.exec(line)?.[1];
  if (send) curl.send = send;
  if (save) curl.save = save;
  return curl;
}

/** Times become `<time>`; message ids become "1", "2", … in order of first appearance. */
function normalize(frames: readonly Frame[]): Frame[] {
  const ids = new Map<string, string>();
  const rename = (id: string) => {
    if (!ids.has(id)) ids.set(id, String(ids.size + 1));
    return ids.get(id)!;
  };
  return frames.map((frame) => {
    const copy: Frame = { ...frame };
    if (typeof copy.timestamp === 'string') copy.timestamp = '<time>';
    if (typeof copy.message_id === 'string') copy.message_id = rename(copy.message_id);
    return copy;
  });
}

it('the README walk-through runs as written and Tom sees exactly the frames it shows', async (t) => {
  const all = blocks();
  const start = all.find((block) => block.lines.some((line) => line.includes('npm start')))!;
  const env = Object.fromEntries([...start.lines.join(' ').matchAll(/(TANDEM_ADMIN_\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!]));
  assert.deepEqual(Object.keys(env).sort(), ['TANDEM_ADMIN_EMAIL', 'TANDEM_ADMIN_PASSWORD']);
  const server = await startServer(t, env);

  const jars = new Map<string, string>();
  const request = async (curl: Curl) => {
    const headers: Record<string, string> = {};
    if (curl.body !== undefined) headers['content-type'] = 'application/json';
    if (curl.send) headers.cookie = jars.get(curl.send) ?? '';
    const reply = await fetch(server.http + curl.path, { method: curl.method, headers, ...(curl.body === undefined ? {} : { body: curl.body }) });
    const cookie = /sessionid=[^;]+/.exec(reply.headers.get('set-cookie') ?? '')?.[0];
    if (curl.save && cookie) jars.set(curl.save, cookie);
    return reply;
  };
  const curls = all.filter((block) => block.info === 'sh').flatMap((block) => block.lines.filter((line) => line.startsWith('curl ')));
  assert.equal(curls.length, 6, 'four setup calls and two sign-ins');
  for (const line of curls) {
    const reply = await request(parseCurl(line));
    assert.ok(reply.status < 300, `${line} answered ${reply.status}: ${await reply.text()}`);
  }

  // The wscat block: two connections (the second one types), then the frames typed.
  const wscat = all.find((block) => block.lines.some((line) => line.includes('wscat')))!;
  const connections = wscat.lines
    .filter((line) => line.includes('wscat -c'))
    .map((line) => {
      const url = /-c (ws:\/\/\S+)/.exec(line)![1]!.replace('ws://127.0.0.1:8000', server.ws);
      const jar = /sessionid=\$(\w+)/.exec(line)![1]!.toLowerCase();
      return new TestSocket(url, { cookie: jars.get(jar) });
    });
  const [tom, mia] = connections as [TestSocket, TestSocket];
  const typed = wscat.lines.filter((line) => line.startsWith('> ')).map((line) => line.slice(2));
  const shown = all[all.indexOf(wscat) + 1]!.lines.map((line) => JSON.parse(line) as Frame);
  assert.ok(shown.length > 0, "the block after wscat shows Tom's frames");

  // Tom connects first; Mia's arrival is the presence frame, then what she types.
  await tom.opened;
  const received: Frame[] = [await tom.next()];
  await mia.opened;
  assert.equal((await mia.next()).type, 'connection_established');
  received.push(await tom.next());
  for (const frame of typed) {
    mia.send(frame);
    received.push(await tom.next());
  }
  t.diagnostic(`Tom's side:\n${received.map((frame) => JSON.stringify(frame)).join('\n')}`);
  assert.deepEqual(normalize(received), normalize(shown));

  // Ending the match, as the prose says: force_disconnect to every socket, then 4003.
  const unmatch = /`(curl [^`]*-X DELETE[^`]*)`/.exec(section)?.[1];
  assert.ok(unmatch, 'the walk-through ends the match with curl');
  assert.equal((await request(parseCurl(unmatch))).status, 204);
  for (const socket of [tom, mia]) {
    assert.deepEqual((await socket.until((frame) => frame.type === 'force_disconnect')).frame, { type: 'force_disconnect', reason: 'unmatched' });
    await socket.closedWithin();
  }
  const again = new TestSocket(`${server.ws}/ws/chat/mia%40example.com/`, { cookie: jars.get('tom') });
  assert.equal((await again.closedWithin()).code, 4003);
});
