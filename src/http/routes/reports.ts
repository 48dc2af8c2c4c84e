/**
 * Reports (PROTOCOL.md Part 7): either participant reports a message of their pair, the
 * archive's too; admins
 * see reports with 10 messages of context whatever the policy, and resolve them with a note.
 * Reporting and resolving are audited.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { pairOf } from '../access.js';
import { actorOf, audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { peopleOf, reportView, reportViewSchema } from '../safeguarding-views.js';
import { emailParam, messageIdSchema, signedIn, withErrors } from '../schemas.js';

const textBody = (name: string, description: string) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: [name],
    properties: { [name]: { type: 'string', minLength: 1, maxLength: 1000, pattern: '\\S', 'x-text': 'prose', description } },
  }) as const;
const reportParams = {
  type: 'object',
  additionalProperties: false,
  required: ['partner_email', 'message_id'],
  properties: {
    ...emailParam('partner_email', "The email of the signed-in user's partner (current, or in the archive)").properties,
    message_id: messageIdSchema,
  },
} as const;
const reportIdParam = {
  type: 'object',
  additionalProperties: false,
  required: ['report_id'],
  properties: { report_id: messageIdSchema },
} as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['open', 'all'], description: '`open` (default): unresolved only' },
    after: { ...messageIdSchema, description: 'Only reports after this id (paging forward)' },
    limit: { type: 'string', pattern: '^[1-9][0-9]{0,2}$', description: 'Page size, at most 100 (default 50)' },
  },
} as const;

export function reportRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;

  // `archive`: a mentee unmatched from an abusive mentor can still report what was said.
  app.post<{ Params: { partner_email: string; message_id: string }; Body: { reason: string } }>(
    '/api/chat/:partner_email/messages/:message_id/report',
    {
      config: { access: 'archive' },
      schema: {
        summary: 'Report a message of the pair',
        description:
          'Either participant, while matched or within `ARCHIVE_DAYS` of the unmatch (from the archive). Admins then see the message with 10 messages of context, whatever `CONVERSATION_POLICY`. Audited.',
        tags: ['safeguarding'],
        security: signedIn,
        params: reportParams,
        body: textBody('reason', 'Why it is reported'),
        response: withErrors({ 201: { type: 'object', additionalProperties: false, required: ['report_id'], properties: { report_id: { type: 'string' } } } }, [
          'not_matched',
          'message_not_found',
        ]),
      },
    },
    async (request, reply) => {
      const { user, pair } = pairOf(request);
      const message = await store.messages.byId(Number(request.params.message_id));
      if (!message || message.pairId !== pair.id || message.kind !== 'message') throw new AppError('message_not_found');
      const report = await store.reports.create(message.id, user.id, request.body.reason.trim());
      await audit(context, request, 'report', `message:${message.id}`, { report_id: String(report.id) });
      return reply.code(201).send({ report_id: String(report.id) });
    },
  );

  app.get<{ Querystring: { status?: 'open' | 'all'; after?: string; limit?: string } }>(
    '/api/reports',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Reports, with context',
        description: 'ADMIN only, under every policy. Oldest first, each with the reported message, the reporter, the pair and up to 10 messages of context.',
        tags: ['safeguarding'],
        security: signedIn,
        querystring: listQuery,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['reports', 'has_more'],
              properties: { reports: { type: 'array', items: reportViewSchema }, has_more: { type: 'boolean' } },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? 50), 100);
      const page = await store.reports.list({ all: request.query.status === 'all', limit, afterId: Number(request.query.after ?? 0) });
      const people = await peopleOf(
        store,
        page.items.map((report) => report.pairId),
      );
      const reports = await Promise.all(page.items.map((report) => reportView(store, report, people.get(report.pairId)!)));
      return { reports, has_more: page.hasMore };
    },
  );

  app.get<{ Params: { report_id: string } }>(
    '/api/reports/:report_id',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'One report, with context',
        description: "ADMIN only, under every policy: under `private` this is the one way to read a conversation's content.",
        tags: ['safeguarding'],
        security: signedIn,
        params: reportIdParam,
        response: withErrors({ 200: reportViewSchema }, ['forbidden', 'report_not_found']),
      },
    },
    async (request) => {
      const report = await store.reports.byId(Number(request.params.report_id));
      if (!report) throw new AppError('report_not_found');
      return reportView(store, report, (await peopleOf(store, [report.pairId])).get(report.pairId)!);
    },
  );

  app.post<{ Params: { report_id: string }; Body: { note: string } }>(
    '/api/reports/:report_id/resolve',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Resolve a report with a note',
        description: 'ADMIN only. Audited.',
        tags: ['safeguarding'],
        security: signedIn,
        params: reportIdParam,
        body: textBody('note', 'What was done'),
        response: withErrors({ 200: reportViewSchema }, ['forbidden', 'report_not_found', 'already_resolved']),
      },
    },
    async (request) => {
      const existing = await store.reports.byId(Number(request.params.report_id));
      if (!existing) throw new AppError('report_not_found');
      if (existing.resolvedAt !== null) throw new AppError('already_resolved');
      const note = request.body.note.trim();
      const report = await store.reports.resolve(existing.id, actorOf(request), note).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'not_found') throw new AppError('already_resolved');
        throw error;
      });
      await audit(context, request, 'resolve', `report:${report.id}`, { note });
      return reportView(store, report, (await peopleOf(store, [report.pairId])).get(report.pairId)!);
    },
  );
}
