/**
 * Attachments and search over real servers (PROTOCOL.md Part 8), run once on one SQLite
 * instance and once on two instances sharing PostgreSQL and Redis, the uploader on the first
 * and the partner on the second: a photo's GPS position never reaches the partner; what the
 * bytes are decides the type (an executable named .png is refused); a file is served so that
 * a browser never runs it; nobody outside the pair can fetch it; size and daily bounds; search
 * stemmed and accent-insensitive, never a held or erased message; with Part 8, a reply carrying
 * files, search following edits (never a held one), a deletion taking the files and the entry.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PLANTED, containsAscii, jpegWithGps, windowsExecutable } from '../helpers/images.js';
import { passwordOf } from '../helpers/accounts.js';
import { Agent, loginAdmin, matchedPair } from '../helpers/http.js';
import type { Hooks, TestServer } from '../helpers/server.js';
import { connectChat, type TestSocket } from '../helpers/socket.js';

/** The instances: the uploader uses `a`, the partner `b` (the same server on SQLite). */
export type StartAttachments = (t: Hooks, env: Record<string, string>) => Promise<{ a: TestServer; b: TestServer }>;

export const ATTACHMENT_ENV = { ATTACHMENT_MAX_BYTES: String(64 * 1024), ATTACHMENT_DAILY_BYTES: String(200 * 1024) } as const;

const enc = encodeURIComponent;

/** Uploads raw bytes as `agent` to its pair with `partner`. */
export async function upload(agent: Agent, partner: Agent, bytes: Uint8Array, name: string, type: string) {
  const response = await fetch(`${agent.base}/api/chat/${enc(partner.email)}/attachments?name=${enc(name)}`, {
    method: 'POST',
    headers: { cookie: agent.cookie!, 'content-type': type },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers };
}

/** Downloads a file as `agent`: status, headers and bytes. */
export async function download(agent: Agent, id: string) {
  const response = await fetch(`${agent.base}/api/attachments/${id}`, { headers: agent.cookie ? { cookie: agent.cookie } : {} });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

/** The ids of the messages `agent`'s search of its conversation with `partner` finds for `q`, newest first. */
async function found(agent: Agent, partner: Agent, q: string): Promise<string[]> {
  const response = await agent.get(`/api/chat/${enc(partner.email)}/search?q=${enc(q)}`);
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body.messages.map((m: { message_id: string }) => m.message_id);
}

interface Scene {
  admin: Agent;
  mentor: Agent;
  mentee: Agent;
  menteeSocket: TestSocket;
  mentorSocket: TestSocket;
}

/** A matched pair: the mentee signed in and connected on `a`, the mentor on `b`. */
async function scene(a: TestServer, b: TestServer): Promise<Scene> {
  const admin = await loginAdmin(a.http);
  const { mentor, mentee } = await matchedPair(admin);
  const mentorOnB = await new Agent(b.http).login(mentor.email, passwordOf(mentor.email));
  const menteeSocket = await connectChat(a.ws, mentor.email, mentee.cookie);
  const mentorSocket = await connectChat(b.ws, mentee.email, mentorOnB.cookie);
  await menteeSocket.expect('presence');
  return { admin, mentor: mentorOnB, mentee, menteeSocket, mentorSocket };
}

export function attachmentsSuite(name: string, start: StartAttachments, hooks: Hooks): void {
  describe(name, () => {
    let servers: { a: TestServer; b: TestServer };
    let moderated: { a: TestServer; b: TestServer };
    const ready = (async () => {
      servers = await start(hooks, { ...ATTACHMENT_ENV });
      moderated = await start(hooks, { ...ATTACHMENT_ENV, CONVERSATION_POLICY: 'moderated' });
    })();

    it('a JPEG with a GPS position reaches the partner, on the other instance, without it; served inline, nosniff, sandboxed', async () => {
      await ready;
      const { mentee, mentor, menteeSocket, mentorSocket } = await scene(servers.a, servers.b);
      const photo = jpegWithGps();
      assert.ok(containsAscii(photo, PLANTED));
      const uploaded = await upload(mentee, mentor, photo, 'home.png', 'image/png');
      assert.equal(uploaded.status, 201, JSON.stringify(uploaded.body));
      assert.equal(uploaded.body.content_type, 'image/jpeg', 'the bytes decide, not the name or header');
      assert.ok(uploaded.body.size < photo.length);
      menteeSocket.send({ type: 'chat_message', content: '', attachments: [uploaded.body.attachment_id] });
      const echo = await menteeSocket.expect('chat_message');
      const delivered = await mentorSocket.expect('chat_message');
      assert.deepEqual(echo.attachments, [uploaded.body]);
      assert.deepEqual(delivered.attachments, [uploaded.body]);
      const history = await mentor.get(`/api/chat/${enc(mentee.email)}/messages`);
      assert.deepEqual(history.body.messages.at(-1).attachments, [uploaded.body]);
      const file = await download(mentor, uploaded.body.attachment_id);
      assert.equal(file.status, 200);
      assert.ok(!containsAscii(file.bytes, PLANTED), 'no GPS in the served bytes');
      assert.ok(!containsAscii(file.bytes, 'Exif'), 'no EXIF segment at all');
      assert.equal(file.bytes.length, uploaded.body.size);
      assert.equal(file.headers.get('content-type'), 'image/jpeg');
      assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(file.headers.get('content-security-policy'), 'sandbox');
      assert.match(file.headers.get('content-disposition')!, /^inline; filename="home\.png"/);
    });

    it('an HTML file is text, served as an attachment in a sandbox so it never runs', async () => {
      await ready;
      const { mentee, mentor, menteeSocket, mentorSocket } = await scene(servers.a, servers.b);
      const html = Buffer.from('<!doctype html><script>document.title="owned"</script>');
      const uploaded = await upload(mentee, mentor, html, 'page.html', 'text/html');
      assert.equal(uploaded.status, 201);
      assert.equal(uploaded.body.content_type, 'text/plain');
      menteeSocket.send({ type: 'chat_message', content: 'see', attachments: [uploaded.body.attachment_id] });
      await mentorSocket.expect('chat_message');
      const file = await download(mentor, uploaded.body.attachment_id);
      assert.equal(file.status, 200);
      assert.equal(file.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.equal(file.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(file.headers.get('content-security-policy'), 'sandbox');
      assert.match(file.headers.get('content-disposition')!, /^attachment; filename="page\.html"/);
      assert.deepEqual(Buffer.from(file.bytes), html);
    });

    it('refusals: an executable named .png → 415; over ATTACHMENT_MAX_BYTES → 413; a form → 415; a bad name → 400; outside the pair → 403', async () => {
      await ready;
      const { mentee, mentor, admin } = await scene(servers.a, servers.b);
      const exe = await upload(mentee, mentor, windowsExecutable(), 'cat.png', 'image/png');
      assert.equal(exe.status, 415);
      assert.equal(exe.body.error, 'attachment_type');
      const big = await upload(mentee, mentor, new Uint8Array(64 * 1024 + 1).fill(0x61), 'big.txt', 'text/plain');
      assert.equal(big.status, 413);
      assert.equal(big.body.error, 'attachment_too_large');
      const form = await upload(mentee, mentor, Buffer.from('a=b'), 'a.txt', 'application/x-www-form-urlencoded');
      assert.equal(form.status, 415);
      const badName = await upload(mentee, mentor, Buffer.from('hi'), 'a\u0007b', 'text/plain');
      assert.equal(badName.status, 400);
      const broken = await upload(mentee, mentor, jpegWithGps().subarray(0, 40), 'cut.jpg', 'image/jpeg');
      assert.equal(broken.status, 400);
      assert.equal(broken.body.error, 'attachment_malformed');
      const { mentor: stranger } = await matchedPair(admin);
      const outside = await upload(stranger, mentee, Buffer.from('hi'), 'a.txt', 'text/plain');
      assert.equal(outside.status, 403);
    });

    it('a download by anyone outside the pair is 404; an unsent file only its uploader; an admin once reported; a wrong id in a message is refused', async () => {
      await ready;
      const { mentee, mentor, admin, menteeSocket, mentorSocket } = await scene(servers.a, servers.b);
      const uploaded = await upload(mentee, mentor, Buffer.from('private notes'), 'notes.txt', 'text/plain');
      const id = uploaded.body.attachment_id;
      assert.equal((await download(mentee, id)).status, 200, 'the uploader, before it is sent');
      assert.equal((await download(mentor, id)).status, 404, 'the partner, before it is sent');
      menteeSocket.send({ type: 'chat_message', content: 'x', attachments: ['999999999'] });
      const refused = await menteeSocket.expect('error');
      assert.equal(refused.code, 'attachment_unavailable');
      menteeSocket.send({ type: 'chat_message', content: 'x', attachments: [id] });
      await mentorSocket.expect('chat_message');
      assert.equal((await download(mentor, id)).status, 200);
      const other = await matchedPair(admin);
      assert.equal((await download(other.mentor, id)).status, 404, 'another pair');
      assert.equal((await download(other.mentee, id)).status, 404, 'another pair');
      assert.equal((await download(admin, id)).status, 404, 'an admin under `private` without a report');
      const sent = (await mentor.get(`/api/chat/${enc(mentee.email)}/messages`)).body.messages.at(-1);
      assert.equal((await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${sent.message_id}/report`, { reason: 'not ok' })).status, 201);
      assert.equal((await download(admin, id)).status, 200, 'an admin, once the message is reported');
      assert.equal((await download(new Agent(servers.b.http), id)).status, 401);
      assert.equal((await download(mentor, '12345678')).status, 404);
    });

    it('a user’s uploads are bounded per day: past ATTACHMENT_DAILY_BYTES, 429 attachment_quota', async () => {
      await ready;
      const { mentee, mentor } = await scene(servers.a, servers.b);
      const chunk = new Uint8Array(60 * 1024).fill(0x62);
      for (let i = 0; i < 3; i++) assert.equal((await upload(mentee, mentor, chunk, `c${i}.txt`, 'text/plain')).status, 201);
      const past = await upload(mentee, mentor, chunk, 'c3.txt', 'text/plain');
      assert.equal(past.status, 429);
      assert.equal(past.body.error, 'attachment_quota');
      assert.equal((await upload(mentor, mentee, chunk, 'theirs.txt', 'text/plain')).status, 201, 'the partner has their own quota');
    });

    it('search: stemmed, accent- and case-insensitive, newest first, marked and HTML-safe; also in the archive', async () => {
      await ready;
      const { mentee, mentor, admin, menteeSocket, mentorSocket } = await scene(servers.a, servers.b);
      for (const content of ['She runs <fast> every morning', 'Meet at the Café Crème', 'RUNNING late, sorry']) {
        menteeSocket.send({ type: 'chat_message', content });
        await menteeSocket.expect('chat_message');
        await mentorSocket.expect('chat_message');
      }
      const search = (agent: Agent, partner: Agent, q: string) => agent.get(`/api/chat/${enc(partner.email)}/search?q=${enc(q)}`);
      const running = await search(mentor, mentee, 'running');
      assert.equal(running.status, 200);
      assert.deepEqual(
        running.body.messages.map((m: { content: string }) => m.content),
        ['RUNNING late, sorry', 'She runs <fast> every morning'],
      );
      assert.equal(running.body.messages[1].highlight, 'She <mark>runs</mark> &lt;fast&gt; every morning');
      assert.deepEqual(
        (await search(mentee, mentor, 'cafe CREME')).body.messages.map((m: { content: string }) => m.content),
        ['Meet at the Café Crème'],
      );
      assert.equal((await search(mentor, mentee, '"runs" OR NEAR(x) content:*')).status, 200, 'query syntax is read as words');
      assert.equal((await search(mentor, mentee, '!!! ---')).body.error, 'search_query');
      const outsider = await matchedPair(admin);
      assert.equal((await search(outsider.mentor, mentee, 'running')).status, 403);
      assert.equal((await admin.delete(`/api/matches/${enc(mentee.email)}`)).status, 204);
      assert.equal((await search(mentor, mentee, 'running')).body.messages.length, 2, 'the archive is searchable');
    });

    it('search never finds an erased user’s words', async () => {
      await ready;
      const { mentee, mentor, admin, menteeSocket, mentorSocket } = await scene(servers.a, servers.b);
      menteeSocket.send({ type: 'chat_message', content: 'my secret password hint' });
      await menteeSocket.expect('chat_message');
      await mentorSocket.expect('chat_message');
      mentorSocket.send({ type: 'chat_message', content: 'keep the secret safe' });
      await mentorSocket.expect('chat_message');
      assert.equal((await mentor.get(`/api/chat/${enc(mentee.email)}/search?q=secret`)).body.messages.length, 2);
      assert.equal((await admin.delete(`/api/users/${enc(mentee.email)}`)).status, 204);
      const archived = (await mentor.get('/api/chat/conversations?include=archived')).body.conversations;
      const erasedEmail = archived.find((c: { archived: boolean }) => c.archived).partner.email;
      const after = await mentor.get(`/api/chat/${enc(erasedEmail)}/search?q=secret`);
      assert.equal(after.status, 200);
      assert.deepEqual(
        after.body.messages.map((m: { content: string }) => m.content),
        ['keep the secret safe'],
      );
    });

    it('under moderated: a message with a file is held, the partner gets nothing, an admin opens the file from the queue; search never shows it to the partner', async () => {
      await ready;
      const { mentee, mentor, admin, menteeSocket } = await scene(moderated.a, moderated.b);
      const uploaded = await upload(mentee, mentor, Buffer.from('my homework draft'), 'draft.txt', 'text/plain');
      menteeSocket.send({ type: 'chat_message', content: 'homework attached', attachments: [uploaded.body.attachment_id] });
      const echo = await menteeSocket.expect('chat_message');
      assert.equal(echo.status, 'held');
      assert.equal(echo.rule, 'attachment');
      assert.deepEqual(echo.attachments, [uploaded.body]);
      assert.equal((await download(mentor, uploaded.body.attachment_id)).status, 404, 'the partner cannot fetch a held file');
      assert.deepEqual((await mentor.get(`/api/chat/${enc(mentee.email)}/search?q=homework`)).body.messages, []);
      const queue = await admin.get('/api/moderation');
      const held = queue.body.held.find((h: { content: string }) => h.content === 'homework attached');
      assert.deepEqual(held.attachments, [uploaded.body]);
      assert.equal((await download(admin, uploaded.body.attachment_id)).status, 200, 'the admin opens it from the queue');
      assert.equal((await admin.post(`/api/moderation/${held.message_id}/approve`)).status, 200);
      assert.equal((await mentor.get(`/api/chat/${enc(mentee.email)}/search?q=homework`)).body.messages.length, 1, 'found once approved');
      assert.equal((await download(mentor, uploaded.body.attachment_id)).status, 200, 'and its file opens');
    });

    it('a reply may carry files; search follows its edit; deleting it removes its files and its search entry', async () => {
      await ready;
      const { mentee, mentor, menteeSocket, mentorSocket } = await scene(servers.a, servers.b);
      mentorSocket.send({ type: 'chat_message', content: 'send me your plan' });
      const asked = await mentorSocket.expect('chat_message');
      await menteeSocket.expect('chat_message');
      const uploaded = await upload(mentee, mentor, Buffer.from('week one: algebra'), 'plan.txt', 'text/plain');
      menteeSocket.send({ type: 'chat_message', content: 'here is my draught', reply_to: asked.message_id, attachments: [uploaded.body.attachment_id] });
      const echo = await menteeSocket.expect('chat_message');
      const delivered = await mentorSocket.expect('chat_message');
      for (const message of [echo, delivered]) {
        assert.deepEqual([message.reply_to, message.reply_preview?.content, message.attachments], [asked.message_id, 'send me your plan', [uploaded.body]]);
      }
      const history = async () => (await mentor.get(`/api/chat/${enc(mentee.email)}/messages`)).body.messages.at(-1);
      assert.deepEqual([(await history()).reply_to, (await history()).attachments], [asked.message_id, [uploaded.body]]);
      assert.deepEqual(await found(mentor, mentee, 'draught'), [echo.message_id]);

      menteeSocket.send({ type: 'edit_message', message_id: echo.message_id, content: 'here is my timetable' });
      await menteeSocket.expect('message_edited');
      await mentorSocket.expect('message_edited');
      assert.deepEqual(await found(mentor, mentee, 'draught'), [], 'the replaced words are no longer found');
      const hits = (await mentor.get(`/api/chat/${enc(mentee.email)}/search?q=timetable`)).body.messages;
      assert.deepEqual(
        hits.map((m: { message_id: string; edited_at?: string; reply_preview?: { content: string } }) => [
          m.message_id,
          m.edited_at !== undefined,
          m.reply_preview?.content,
        ]),
        [[echo.message_id, true, 'send me your plan']],
      );

      menteeSocket.send({ type: 'delete_message', message_id: echo.message_id });
      await menteeSocket.expect('message_deleted');
      await mentorSocket.expect('message_deleted');
      assert.deepEqual(await found(mentor, mentee, 'timetable'), [], 'a deleted message is not found');
      assert.equal((await download(mentor, uploaded.body.attachment_id)).status, 404, 'its file is gone');
      assert.equal((await download(mentee, uploaded.body.attachment_id)).status, 404, 'for its sender too');
      const after = await history();
      assert.deepEqual([after.deleted, after.content, after.attachments], [true, '', undefined]);
    });

    it('under moderated, a held edit is never found by the partner; once approved, its words are', async () => {
      await ready;
      const { mentee, mentor, admin, menteeSocket, mentorSocket } = await scene(moderated.a, moderated.b);
      menteeSocket.send({ type: 'chat_message', content: 'see you soon' });
      const said = await menteeSocket.expect('chat_message');
      await mentorSocket.expect('chat_message');
      menteeSocket.send({ type: 'edit_message', message_id: said.message_id, content: 'ring me at the library on 07911 123456' });
      const status = await menteeSocket.expect('message_status');
      assert.deepEqual([status.status, status.rule], ['held', 'phone']);
      assert.deepEqual(await found(mentor, mentee, 'library'), [], 'the held text is not searchable');
      assert.deepEqual(await found(mentor, mentee, 'soon'), [said.message_id], 'the text the partner sees is');
      assert.equal((await admin.post(`/api/moderation/${status.held_id}/approve`)).status, 200);
      await mentorSocket.expect('message_edited');
      assert.deepEqual(await found(mentor, mentee, 'library'), [said.message_id]);
      assert.deepEqual(await found(mentor, mentee, 'soon'), []);
    });
  });
}
