/**
 * docs/security.md stays true: its table of entry points lists exactly the routes Tandem
 * serves, each with the access rule the route declares, plus the two WebSocket endpoints and
 * every frame type a chat socket accepts; every test file it names exists.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseFrame } from '../src/protocol/parse.js';
import { startServer } from './helpers/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const page = readFileSync(`${root}docs/security.md`, 'utf8');

it('lists every route with the access rule it declares, and nothing else', async (t) => {
  const server = await startServer(t);
  const documented = new Map<string, string>();
  for (const [, route, access] of page.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) \/[^`]*)` \| (\w+) \|/gm)) {
    assert.ok(!documented.has(route!), `${route} is documented twice`);
    documented.set(route!, access!);
  }
  const served = new Map([...server.tandem.http.accessRules].sort());
  assert.deepEqual(new Map([...documented].sort()), served);
  assert.ok(served.size >= 40, 'the table is read, not empty');
});

it('names both WebSocket endpoints and every frame type the parser accepts', () => {
  assert.match(page, /^\| `WS \/ws\/chat\/\{partner_email\}\/` \| pair \|/m);
  assert.match(page, /^\| `WS \/ws\/me\/` \| user \|/m);
  const frames = [...page.matchAll(/^\| `(\w+)` \| /gm)].map((match) => match[1]!);
  for (const type of ['chat_message', 'typing', 'mark_read']) {
    assert.ok(parseFrame(JSON.stringify({ type, content: 'x' })).ok, `${type} is accepted`);
    assert.ok(frames.includes(type), `${type} has a row`);
  }
  const other = parseFrame(JSON.stringify({ type: 'something_else' }));
  assert.equal(other.ok, false, 'no frame type beyond the table is accepted');
});

it('names only tests that exist', () => {
  const named = new Set([...page.matchAll(/`(test\/[\w./-]+\.ts)`/g)].map((match) => match[1]!));
  assert.ok(named.size > 20);
  for (const file of named) assert.ok(existsSync(`${root}${file}`), `${file} exists`);
});
