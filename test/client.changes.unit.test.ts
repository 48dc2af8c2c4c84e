/**
 * The typed client's Part 8 verbs and how it applies changes, without a server: what
 * `edit`, `deleteMessage`, `react` and a reply send, that a change replayed by a resume is
 * applied once (by `seq`), and what the message list makes of each change.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { ChatConnection, type WebSocketLike } from '../src/client/index.js';
import { MessageList } from '../src/client/message-list.js';
import type { ChangeOut, OutboundFrame } from '../src/protocol/frames.js';

const PARTNER = 'tom@tandem.test';
const ME = 'mia@tandem.test';

class FakeSocket implements WebSocketLike {
  readyState = 1;
  readonly sent: any[] = [];
  onopen: unknown = null;
  onmessage: unknown = null;
  onclose: unknown = null;
  onerror: unknown = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  frame(frame: OutboundFrame): void {
    (this.onmessage as (event: { data: string }) => void)({ data: JSON.stringify(frame) });
  }
  serverClose(code: number): void {
    this.readyState = 3;
    (this.onclose as (event: { code: number; reason: string }) => void)({ code, reason: '' });
  }
}

function setup(t: TestContext) {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const sockets: FakeSocket[] = [];
  const connection = new ChatConnection({
    wsBase: 'ws://tandem.test',
    partnerEmail: PARTNER,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    backoff: { initialMs: 1000, maxMs: 8000 },
    random: () => 0,
  });
  t.after(() => connection.close());
  const last = () => sockets.at(-1)!;
  return { connection, sockets, last };
}

const message = (id: number, sender: string, content: string) =>
  ({ type: 'chat_message', message_id: String(id), seq: id, sender_email: sender, sender_name: 'X', content, timestamp: new Date(0).toISOString() }) as const;

describe('ChatConnection: Part 8 verbs', () => {
  it('sends edit, delete, react and a reply; refuses an empty edit and anything while not connected', (t) => {
    const { connection, last } = setup(t);
    connection.start();
    assert.deepEqual(connection.edit('1', 'x'), { ok: false, error: 'Not connected: try again once the conversation is connected' });
    last().frame({ type: 'connection_established', message: 'Connected to chat' });
    assert.deepEqual(connection.edit('1', '  fixed  '), { ok: true });
    assert.deepEqual(connection.edit('1', '   '), { ok: false, error: 'Message content cannot be empty' });
    assert.deepEqual(connection.deleteMessage('1'), { ok: true });
    assert.deepEqual(connection.react('1', '👍'), { ok: true });
    assert.deepEqual(connection.react('1', '👍', false), { ok: true });
    const reply = connection.send('yes', { replyTo: '1' });
    assert.ok(reply.ok);
    assert.deepEqual(last().sent, [
      { type: 'edit_message', message_id: '1', content: 'fixed' },
      { type: 'delete_message', message_id: '1' },
      { type: 'react', message_id: '1', emoji: '👍', on: true },
      { type: 'react', message_id: '1', emoji: '👍', on: false },
      { type: 'chat_message', content: 'yes', client_id: reply.pending.client_id, reply_to: '1' },
    ]);
  });

  it('a change replayed by a resume (seq already seen) is not reported twice', (t) => {
    const { connection, last } = setup(t);
    const changes: ChangeOut[] = [];
    connection.on('change', (change) => changes.push(change));
    connection.start();
    last().frame({ type: 'connection_established', message: 'Connected to chat' });
    last().frame(message(1, PARTNER, 'a'));
    const edited: ChangeOut = { type: 'message_edited', message_id: '1', seq: 2, content: 'b', edited_at: new Date(0).toISOString() };
    last().frame(edited);
    last().serverClose(1006);
    t.mock.timers.tick(500);
    assert.match(last().url, /\?after=1$/);
    last().frame({ type: 'connection_established', message: 'Connected to chat' });
    last().frame(edited);
    const deleted: ChangeOut = { type: 'message_deleted', message_id: '1', seq: 3 };
    last().frame(deleted);
    assert.deepEqual(changes, [edited, deleted]);
  });
});

describe('MessageList.applyChange', () => {
  it('edits, deletes (emptying replies’ previews) and sets and clears reactions; a message not in the list is left alone', () => {
    const list = new MessageList(PARTNER);
    const { type: _a, ...first } = message(1, PARTNER, 'hello');
    const { type: _b, ...reply } = message(2, ME, 'hi');
    list.add(
      [
        { ...first, is_read: false },
        { ...reply, is_read: false, reply_to: '1', reply_preview: { message_id: '1', sender_email: PARTNER, content: 'hello' } },
      ],
      'end',
    );
    const edited = list.applyChange({ type: 'message_edited', message_id: '1', seq: 3, content: 'hello there', edited_at: 'then' });
    assert.deepEqual([edited?.content, edited?.edited_at], ['hello there', 'then']);
    assert.equal(list.items[1]!.reply_preview!.content, 'hello there');
    list.applyChange({ type: 'reaction', message_id: '1', emoji: '👍', user_email: ME, on: true, seq: 4 });
    list.applyChange({ type: 'reaction', message_id: '1', emoji: '👍', user_email: PARTNER, on: true, seq: 5 });
    list.applyChange({ type: 'reaction', message_id: '1', emoji: '👍', user_email: ME, on: true, seq: 6 });
    assert.deepEqual(list.items[0]!.reactions, { '👍': [PARTNER, ME] });
    list.applyChange({ type: 'reaction', message_id: '1', emoji: '👍', user_email: PARTNER, on: false, seq: 7 });
    list.applyChange({ type: 'reaction', message_id: '1', emoji: '👍', user_email: ME, on: false, seq: 8 });
    assert.deepEqual(list.items[0]!.reactions, {});
    const deleted = list.applyChange({ type: 'message_deleted', message_id: '1', seq: 9 });
    assert.deepEqual([deleted?.content, deleted?.deleted], ['', true]);
    assert.equal(list.items[1]!.reply_preview!.content, '');
    assert.equal(list.applyChange({ type: 'message_deleted', message_id: '99', seq: 10 }), null);
  });
});
