/** Edit, delete, reply and reactions on one instance, SQLite and the memory layer, under `moderated` (see suites/changes.ts). */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { loginAdmin, matchedPair } from './helpers/http.js';
import { startServer, suiteCleanup } from './helpers/server.js';
import { connectChat } from './helpers/socket.js';
import { changesSuite } from './suites/changes.js';
import { UNLIMITED } from './suites/chat.js';
import { MODERATED } from './suites/held.js';

const cleanup = suiteCleanup();

changesSuite(
  'message changes (one instance)',
  async (cleanup) => {
    const server = await startServer(cleanup, { ...UNLIMITED, ...MODERATED });
    const admin = await loginAdmin(server.http);
    return { admin, side: () => server };
  },
  cleanup,
);

it('past EDIT_WINDOW_SECONDS an edit is refused; deleting still works (the window is for edits only)', async () => {
  const server = await startServer(cleanup, { ...UNLIMITED, EDIT_WINDOW_SECONDS: '0' });
  const admin = await loginAdmin(server.http);
  const { mentor, mentee } = await matchedPair(admin, server.http);
  const chat = await connectChat(server.ws, mentor.email, mentee.cookie);
  chat.send({ type: 'chat_message', content: 'typo' });
  const said = await chat.expect('chat_message');
  chat.send({ type: 'edit_message', message_id: said.message_id, content: 'fixed' });
  const error = await chat.expect('error');
  assert.deepEqual([error.code, error.message], ['edit_window_passed', 'This message can no longer be edited']);
  chat.send({ type: 'delete_message', message_id: said.message_id });
  assert.equal((await chat.expect('message_deleted')).message_id, said.message_id);
  await chat.close();
});

it('the new frames count against the rate limit: past it, "Rate limit exceeded" and nothing changed', async () => {
  const server = await startServer(cleanup, { WS_RATE_PER_SECOND: '1', WS_RATE_BURST: '3', WS_FLOOD_CLOSE_AFTER: '50' });
  const admin = await loginAdmin(server.http);
  const { mentor, mentee } = await matchedPair(admin, server.http);
  const chat = await connectChat(server.ws, mentor.email, mentee.cookie);
  chat.send({ type: 'chat_message', content: 'react to me' });
  const said = await chat.expect('chat_message');
  for (const emoji of ['👍', '❤️', '😂', '😮', '😢']) chat.send({ type: 'react', message_id: said.message_id, emoji, on: true });
  const frames = [];
  for (let i = 0; i < 5; i++) frames.push(await chat.next());
  const refused = frames.filter((frame) => frame.type === 'error');
  assert.ok(refused.length >= 2, JSON.stringify(frames));
  for (const frame of refused) assert.deepEqual([frame.message, frame.code], ['Rate limit exceeded', 'rate_limited']);
  const page = (await mentee.get(`/api/chat/${encodeURIComponent(mentor.email)}/messages`)).body;
  assert.equal(Object.keys(page.messages[0].reactions ?? {}).length, frames.length - refused.length);
  await chat.close();
});
