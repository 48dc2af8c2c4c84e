/**
 * Every text field of every path, fuzzed on both engines (SQLite, PostgreSQL): hostile strings
 * (NUL, controls, lone surrogates, bidi overrides, invisible characters, every Unicode
 * category; see helpers/hostile-text.ts) posted to each text field of the HTTP bodies, query
 * strings and path parameters, the import's lines and the chat frame. Each ends in a 2xx with
 * the text stored and read back exactly as documented (trimmed where the field is), or in a
 * refusal of the documented shape: never a 5xx, never `unavailable`.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorText } from '../src/protocol/frames.js';
import { pythonStrip } from '../src/protocol/parse.js';
import type { Store } from '../src/store/index.js';
import { freshDatabase, testDatabaseUrl } from './helpers/backends.js';
import { loginAdmin, matchedPair, uniqueEmail, type Agent } from './helpers/http.js';
import { assertRefusal, encodeLoose, hostileText, RUNS } from './helpers/hostile-text.js';
import { suiteNeeding } from './helpers/needs.js';
import { startServer, suiteCleanup, type Hooks, type TestServer } from './helpers/server.js';
import { connectChat, type TestSocket } from './helpers/socket.js';
import { UNLIMITED } from './suites/chat.js';

const ENV = { ...UNLIMITED, CONVERSATION_POLICY: 'moderated', REGISTRATIONS_PER_ADDRESS: '1000000', LOG_LEVEL: 'error' };
const enc = encodeURIComponent;
/** Independent of the module under test: encodeURIComponent throws on a lone surrogate. */
const storable = (text: string) =>
  !text.includes('\u0000') &&
  (() => {
    try {
      return encodeURIComponent(text) !== undefined;
    } catch {
      return false;
    }
  })();
const FRAME_REFUSALS: string[] = [ErrorText.badCharacters, ErrorText.emptyContent, ErrorText.tooLong, ErrorText.badClientId];

/** The server's error-level log lines, as JSON text. */
function errorLog(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

function textFieldSuite(name: string, start: (cleanup: Hooks, logStream: Writable) => Promise<TestServer>): void {
  describe(name, () => {
    const log = errorLog();
    const cleanup = suiteCleanup();
    let server: TestServer;
    let store: Store;
    let admin: Agent;
    let mentor: Agent;
    let mentee: Agent;
    let pairId: number;
    let menteeId: number;
    let mentorId: number;
    let messageId: number;
    let socket: TestSocket;
    let n = 0;
    before(async () => {
      server = await start(cleanup, log.stream);
      store = server.tandem.store;
      admin = await loginAdmin(server.http);
      ({ mentor, mentee } = await matchedPair(admin));
      menteeId = (await store.accounts.byEmail(mentee.email))!.id;
      mentorId = (await store.accounts.byEmail(mentor.email))!.id;
      pairId = (await store.matches.list(menteeId))[0]!.pairId;
      messageId = (await store.messages.append({ pairId, senderId: menteeId, content: 'reported' })).message.id;
      socket = await connectChat(server.ws, mentor.email, mentee.cookie);
    });

    /** Asserts a 2xx stored `expected` (read back by `readBack`), or a documented refusal. */
    async function storedOrRefused(
      reply: { status: number; body: any },
      expected: string,
      readBack: () => Promise<Array<string | null | undefined>>,
      what: string,
    ) {
      if (reply.status >= 300) return assertRefusal(reply.status, reply.body, what);
      assert.ok(storable(expected), `${what}: stored unstorable text ${JSON.stringify(expected)}`);
      for (const value of await readBack()) assert.equal(value, expected, what);
    }

    it("a report's reason", async () => {
      await fc.assert(
        fc.asyncProperty(hostileText(), async (text) => {
          const reply = await mentor.post(`/api/chat/${enc(mentee.email)}/messages/${messageId}/report`, { reason: text });
          await storedOrRefused(
            reply,
            text.trim(),
            async () => [
              (await store.reports.byId(Number(reply.body.report_id)))?.reason,
              (await admin.get(`/api/reports/${reply.body.report_id}`)).body.reason,
            ],
            `reason ${JSON.stringify(text)}`,
          );
        }),
        RUNS,
      );
    });

    it("a resolution's note", async () => {
      await fc.assert(
        fc.asyncProperty(hostileText(), async (text) => {
          const report = await store.reports.create(messageId, mentorId, 'to resolve');
          const reply = await admin.post(`/api/reports/${report.id}/resolve`, { note: text });
          await storedOrRefused(
            reply,
            text.trim(),
            async () => [(await store.reports.byId(report.id))?.resolution, reply.body.resolution],
            `note ${JSON.stringify(text)}`,
          );
        }),
        RUNS,
      );
    });

    it("a rejection's reason", async () => {
      await fc.assert(
        fc.asyncProperty(hostileText(), async (text) => {
          const held = await store.moderation.hold({
            pairId,
            senderId: menteeId,
            content: 'call 07911 123456',
            clientId: null,
            rule: 'phone',
            matched: '07911 123456',
          });
          assert.ok('held' in held);
          const reply = await admin.post(`/api/moderation/h${held.held.id}/reject`, { reason: text });
          await storedOrRefused(
            reply,
            text.trim(),
            async () => [(await store.moderation.heldById(held.held.id))?.reason, reply.body.held?.reason],
            `reject ${JSON.stringify(text)}`,
          );
        }),
        RUNS,
      );
    });

    it("names, by the platform's sync and by registration", async () => {
      await fc.assert(
        fc.asyncProperty(hostileText(), fc.constantFrom('first_name', 'last_name'), async (text, field) => {
          const email = uniqueEmail('sync');
          const body = { first_name: 'First', last_name: 'Last', role: 'MENTEE', [field]: text };
          const reply = await admin.request('PUT', `/api/users/${enc(email)}`, body);
          const key = field === 'first_name' ? 'firstName' : 'lastName';
          await storedOrRefused(
            reply,
            text.trim(),
            async () => [(await store.accounts.byEmail(email))?.[key], reply.body[field]],
            `${field} ${JSON.stringify(text)}`,
          );
        }),
        RUNS,
      );
      await fc.assert(
        fc.asyncProperty(hostileText(), async (text) => {
          const email = uniqueEmail('reg');
          const reply = await admin.post('/api/auth/register', {
            email,
            password: 'correct horse battery',
            first_name: text,
            last_name: 'Last',
            role: 'MENTEE',
          });
          await storedOrRefused(
            reply,
            text.trim(),
            async () => [(await store.accounts.byEmail(email))?.firstName, reply.body.first_name],
            `register ${JSON.stringify(text)}`,
          );
        }),
        { numRuns: 15 },
      );
    });

    it("the directory's search, every query string and every path parameter", async () => {
      const urls = (p: string) => [
        `/api/users?q=${p}`,
        `/api/users?cursor=${p}`,
        `/api/users?role=${p}`,
        `/api/reports/${p}`,
        `/api/reports?after=${p}`,
        `/api/moderation?after=${p}`,
        `/api/users/${p}/export`,
        `/api/conversations/${p}/messages`,
        `/api/audit?before=${p}`,
        `/api/webhooks/deliveries?status=${p}`,
        `/api/chat/${p}/messages`,
        `/api/chat/${enc(mentee.email)}/messages?before=${p}`,
      ];
      await fc.assert(
        fc.asyncProperty(hostileText(), async (text) => {
          for (const url of urls(encodeLoose(text))) {
            const reply = await (url.startsWith('/api/chat/') ? mentor : admin).get(url);
            if (reply.status >= 300) assertRefusal(reply.status, reply.body, `GET ${url}`);
          }
        }),
        RUNS,
      );
    });

    it("the import's external_id, content and names", async () => {
      const importer = await matchedPair(admin);
      const at = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString();
      const post = (line: object) => admin.request('POST', '/api/import', `${JSON.stringify(line)}\n`, { 'content-type': 'application/x-ndjson' });
      await fc.assert(
        fc.asyncProperty(hostileText(), hostileText(), async (id, content) => {
          const line = {
            kind: 'message',
            external_id: `x${++n}${id}`,
            sender_email: importer.mentee.email,
            receiver_email: importer.mentor.email,
            content,
            timestamp: at(n),
            is_read: false,
          };
          const reply = await post(line);
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          if (reply.body.refused_total === 1) {
            assert.deepEqual([reply.body.refused[0].line, reply.body.refused[0].error], [1, 'invalid_request'], JSON.stringify(line));
            return;
          }
          assert.equal(reply.body.messages.created, 1, JSON.stringify(reply.body));
          assert.ok(storable(line.external_id) && storable(content), JSON.stringify(line));
          // The same line again is the same message: the key round-trips exactly.
          assert.equal((await post(line)).body.messages.unchanged, 1, JSON.stringify(line));
          const page = await importer.mentee.get(`/api/chat/${enc(importer.mentor.email)}/messages?limit=1`);
          assert.equal(page.body.messages[0].content, content);
        }),
        RUNS,
      );
      // A bad line among good ones: refused by its number, the rest imported.
      const lines = ['nul-a', 'nul\u0000b', 'nul-c'].map((id, i) =>
        JSON.stringify({
          kind: 'message',
          external_id: `${id}-${n}`,
          sender_email: importer.mentor.email,
          receiver_email: importer.mentee.email,
          content: id,
          timestamp: at(++n + i),
          is_read: true,
        }),
      );
      const mixed = await admin.request('POST', '/api/import', `${lines.join('\n')}\n`, { 'content-type': 'application/x-ndjson' });
      assert.equal(mixed.status, 200, JSON.stringify(mixed.body));
      assert.deepEqual(
        [mixed.body.messages.created, mixed.body.refused.map((r: { line: number; error: string }) => [r.line, r.error])],
        [2, [[2, 'invalid_request']]],
      );
      await fc.assert(
        fc.asyncProperty(hostileText(), async (text) => {
          const email = uniqueEmail('imp');
          const reply = await post({ kind: 'user', email, first_name: text, last_name: 'Last', role: 'MENTOR' });
          assert.equal(reply.status, 200, JSON.stringify(reply.body));
          if (reply.body.refused_total === 1) return assert.equal(reply.body.refused[0].error, 'invalid_request');
          assert.equal((await store.accounts.byEmail(email))?.firstName, text.trim(), JSON.stringify(text));
        }),
        RUNS,
      );
    });

    it("a chat frame's content and client_id", async () => {
      await fc.assert(
        fc.asyncProperty(hostileText(), fc.boolean(), async (text, inClientId) => {
          const clientId = `c${++n}${inClientId ? text : ''}`;
          const content = inClientId ? 'hello' : text;
          socket.send({ type: 'chat_message', content, client_id: clientId });
          const { frame } = await socket.until((f) => (f.type === 'chat_message' && f.client_id === clientId) || f.type === 'error');
          const what = `${inClientId ? 'client_id' : 'content'} ${JSON.stringify(text)}: ${JSON.stringify(frame)}`;
          if (frame.type === 'error') {
            assert.ok(FRAME_REFUSALS.includes(frame.message), what);
            if (frame.message === ErrorText.badClientId) assert.equal(frame.client_id, undefined, what);
            else assert.equal(frame.client_id, clientId, what);
            return;
          }
          assert.ok(storable(clientId) && storable(frame.content), what);
          assert.equal(frame.content, pythonStrip(content), what);
        }),
        { numRuns: 80 },
      );
    });

    it('logged no error: no text was an internal error or a backend outage', () => {
      assert.deepEqual(log.lines, []);
    });
  });
}

textFieldSuite('text fields (SQLite)', (cleanup, logStream) => startServer(cleanup, ENV, { logStream }));
suiteNeeding(
  'text fields (PostgreSQL)',
  testDatabaseUrl ? null : 'TANDEM_TEST_DATABASE_URL is not set',
  () => {
    textFieldSuite('on PostgreSQL', async (cleanup, logStream) => {
      const database = await freshDatabase();
      const server = await startServer(cleanup, { ...ENV, DATABASE_URL: database.url }, { logStream });
      cleanup.after(database.drop);
      return server;
    });
  },
  'see .ci/run',
);
