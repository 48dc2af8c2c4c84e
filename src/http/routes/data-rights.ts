/**
 * Data rights (PROTOCOL.md Part 7): a user's export, everything Tandem holds about them as
 * one JSON document streamed page by page; and erasure, which revokes their sessions, closes
 * their sockets on every instance (`force_disconnect` `account_deleted`), ends their matches
 * and empties what they wrote, leaving their partners a history from "Deleted user". Both audited;
 * a second erasure changes nothing.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { roomName } from '../../chat/room.js';
import { senderOf } from '../../chat/wire-message.js';
import { AppError } from '../../errors.js';
import { isErasedEmail } from '../../protocol/erased-email.js';
import { emailProblem } from '../../protocol/text.js';
import { normalizeEmail, type Store, type User } from '../../store/index.js';
import { callerOf } from '../access.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { auditView, peopleOf } from '../safeguarding-views.js';
import { emailParam, historyMessage, publicUser, signedIn, undeliveredMessage, withErrors } from '../schemas.js';

const PAGE = 500;
const userParam = emailParam('email', 'The user');

function emailOf(raw: string): string {
  const problem = emailProblem(raw);
  if (problem !== null) throw new AppError('invalid_request', `email ${problem}`);
  return normalizeEmail(raw);
}

/** The export as chunks of one JSON document: small parts first, then the messages page by page. */
async function* exportDocument(store: Store, user: User): AsyncGenerator<string> {
  const summaries = await store.dataRights.pairSummariesOf(user.id);
  const people = await peopleOf(
    store,
    summaries.map((summary) => summary.pairId),
  );
  yield `{"profile":${JSON.stringify({ ...publicUser(user), created_at: user.createdAt.toISOString() })}`;
  yield `,"matches":${JSON.stringify(
    summaries.map((summary) => {
      const { mentor, mentee } = people.get(summary.pairId)!;
      return { mentor: publicUser(mentor), mentee: publicUser(mentee), active: summary.active, message_count: summary.messageCount };
    }),
  )}`;
  yield ',"messages":[';
  let after = 0;
  let first = true;
  for (;;) {
    const page = await store.dataRights.messagesOf(user.id, after, PAGE);
    for (const message of page) {
      const { mentor, mentee } = people.get(message.pairId)!;
      const sender = senderOf(message, mentor, mentee);
      const receiver = sender === mentor ? mentee : mentor;
      yield `${first ? '' : ','}${JSON.stringify({ ...historyMessage(message, sender, receiver), receiver_email: receiver.email })}`;
      first = false;
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.id;
  }
  yield `],"undelivered":${JSON.stringify((await store.dataRights.heldOf(user.id)).filter((held) => held.status !== 'approved').map((held) => undeliveredMessage(held, user)))}`;
  const reports = await store.dataRights.reportsBy(user.id);
  yield `,"reports":${JSON.stringify(reports.map((report) => ({ report_id: String(report.id), message_id: String(report.messageId), reason: report.reason, created_at: report.createdAt.toISOString(), resolved_at: report.resolvedAt?.toISOString() ?? null })))}`;
  // By id: a former owner of the same address is someone else.
  yield `,"audit":${JSON.stringify(
    (
      await store.dataRights.auditOf(
        user.id,
        summaries.map((summary) => summary.pairId),
      )
    ).map(auditView),
  )}}`;
}

export function dataRightsRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, hub } = context;

  app.get<{ Params: { email: string } }>(
    '/api/users/:email/export',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Everything Tandem holds about a user',
        description:
          'The user themself, or an ADMIN. One JSON document, streamed: profile, every match (ended ones too), every message they sent ' +
          'or received, their held and rejected messages, the reports they made, and the audit entries by them, about them or about their ' +
          'conversations. Audited.',
        tags: ['safeguarding'],
        security: signedIn,
        params: userParam,
        response: withErrors(
          {
            200: {
              description: 'The export',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['profile', 'matches', 'messages', 'undelivered', 'reports', 'audit'],
                    properties: {
                      profile: { type: 'object', description: 'The user, with `created_at`' },
                      matches: { type: 'array', description: 'Every pair they were in: mentor, mentee, active, message_count' },
                      messages: { type: 'array', description: 'Every message sent or received, as history shows it, with `receiver_email`' },
                      undelivered: { type: 'array', description: 'Their held and rejected messages' },
                      reports: { type: 'array', description: 'The reports they made' },
                      audit: { type: 'array', description: 'Audit entries by them, about them, or about their conversations' },
                    },
                  },
                },
              },
            },
          },
          ['forbidden', 'user_not_found'],
        ),
      },
    },
    async (request, reply) => {
      const caller = callerOf(request).user;
      const email = emailOf(request.params.email);
      if (caller.role !== 'ADMIN' && caller.email !== email) throw new AppError('forbidden');
      const user = await store.accounts.byEmail(email);
      if (!user) throw new AppError('user_not_found');
      await audit(context, request, 'export', `user:${email}`);
      reply.type('application/json; charset=utf-8');
      return reply.send(Readable.from(exportDocument(store, user)));
    },
  );

  app.delete<{ Params: { email: string } }>(
    '/api/users/:email',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Erase a user',
        description:
          'ADMIN or API key. Sessions revoked; every socket of the user gets `force_disconnect` `account_deleted`, on every instance, and so do ' +
          'their partners\' sockets of the ended matches; the content of what they wrote is emptied; the account becomes "Deleted user" and ' +
          'can never sign in. Audited. Erasing an erased user again is a no-op (204).',
        tags: ['safeguarding'],
        security: signedIn,
        params: userParam,
        response: withErrors({ 204: { type: 'null', description: 'Erased (or erased before)' } }, ['forbidden', 'user_not_found']),
      },
    },
    async (request, reply) => {
      const email = emailOf(request.params.email);
      const user = await store.accounts.byEmail(email);
      if (!user) {
        if (!(await store.dataRights.wasErased(email))) throw new AppError('user_not_found');
        return reply.code(204).send();
      }
      // An erased account's own address: erased already.
      if (isErasedEmail(user.email)) return reply.code(204).send();
      if (user.role === 'ADMIN' && user.email === callerOf(request).user.email) throw new AppError('forbidden', 'An admin cannot erase themself');
      // Logged (and flushed) first: a restore of a backup older than this erasure applies it again (docs/backups.md).
      await context.erasureLog?.append({ userId: user.id, createdAtMs: user.createdAt.getTime() });
      const erasure = await store.dataRights.erase(user.id);
      if (erasure.purgeProblem !== null)
        request.log.warn({ problem: erasure.purgeProblem }, 'the erasure is committed; purging the old versions from the database files did not complete');
      await audit(
        context,
        request,
        'erase',
        `user:${email}`,
        { ended_matches: erasure.endedPairs.length, revoked_sessions: erasure.revokedSessions.length },
        { userId: user.id },
      );
      const tell = async (what: Promise<void>) =>
        what.catch((error: unknown) => request.log.error({ err: error }, 'telling the sockets of an erased user failed'));
      await Promise.all([
        ...erasure.endedPairs.map((pairId) => tell(hub.publish(roomName(pairId), { kind: 'force_disconnect', reason: 'account_deleted' }))),
        ...erasure.revokedSessions.map((session) => tell(hub.revokeSession(session, 'account_deleted'))),
      ]);
      return reply.code(204).send();
    },
  );
}
