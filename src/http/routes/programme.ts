/**
 * The programme's view for coordinators (PROTOCOL.md Part 9): the pair health table, as JSON
 * pages or one CSV, and the weekly activity. ADMIN or a server API key. Metadata only: these
 * read counts kept as messages are stored, never a message.
 */
import type { FastifyInstance } from 'fastify';
import { PAIR_SORTS, type PairSort } from '../../protocol/programme.js';
import { AT_RISK_REASONS } from '../../protocol/webhooks.js';
import { pairsCsv } from '../../programme/csv.js';
import { healthTable, SPARKLINE_WEEKS, type HealthQuery } from '../../programme/health-table.js';
import { activityWeeks, dayOf, mondayOf } from '../../programme/weeks.js';
import type { RouteContext } from '../context.js';
import { signedIn, userSchema, withErrors } from '../schemas.js';

const PAGE = 50;

const filters = {
  at_risk: { type: 'string', enum: ['true', 'false'], description: '`true`: only pairs with at least one at-risk reason' },
  sort: {
    type: 'string',
    enum: [...PAIR_SORTS],
    description: 'risk (default: most reasons, then longest silence), quiet, matched (newest), mentor, mentee (by name)',
  },
  q: {
    type: 'string',
    minLength: 1,
    maxLength: 100,
    'x-text': 'search',
    description: "Words every row holds in a participant's name or email, case-insensitive",
  },
} as const;

const pairsQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...filters,
    cursor: { type: 'string', pattern: '^[0-9]{1,9}$', description: 'The `next_cursor` of the previous page' },
    limit: { type: 'string', pattern: '^(200|1[0-9]{2}|[1-9][0-9]?)$', description: `Page size, 1 to 200 (default ${PAGE})` },
  },
} as const;

const csvQuery = { type: 'object', additionalProperties: false, properties: filters } as const;

interface PairsParams {
  at_risk?: 'true' | 'false';
  sort?: PairSort;
  q?: string;
  cursor?: string;
  limit?: string;
}

const sides = (type: object) => ({ type: 'object', additionalProperties: false, required: ['mentor', 'mentee'], properties: { mentor: type, mentee: type } });

const pairHealthSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'pair_id',
    'mentor',
    'mentee',
    'matched_at',
    'paused',
    'last_message_at',
    'messages_7d',
    'messages_28d',
    'median_reply_minutes_28d',
    'waiting_reply',
    'open_reports',
    'held_waiting',
    'at_risk',
    'weekly_messages',
  ],
  properties: {
    pair_id: { type: 'string' },
    mentor: userSchema,
    mentee: userSchema,
    matched_at: { type: 'string', format: 'date-time' },
    paused: { type: 'boolean' },
    last_message_at: { type: ['string', 'null'], format: 'date-time' },
    messages_7d: sides({ type: 'integer' }),
    messages_28d: sides({ type: 'integer' }),
    median_reply_minutes_28d: sides({ type: ['number', 'null'] }),
    waiting_reply: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['from', 'since'],
      properties: { from: { type: 'string', description: 'Who wrote last' }, since: { type: 'string', format: 'date-time' } },
    },
    open_reports: { type: 'integer' },
    held_waiting: { type: 'integer' },
    at_risk: { type: 'array', items: { type: 'string', enum: [...AT_RISK_REASONS] } },
    weekly_messages: { type: 'array', items: { type: 'integer' }, description: `Messages per week, the last ${SPARKLINE_WEEKS} weeks, oldest first` },
  },
} as const;

const activityWeekSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['week', 'messages', 'active_pairs', 'new_matches', 'ended_matches'],
  properties: {
    week: { type: 'string', description: 'ISO 8601 week, `2026-W49`' },
    messages: { type: 'integer' },
    active_pairs: { type: 'integer', description: 'Pairs that wrote that week' },
    new_matches: { type: 'integer' },
    ended_matches: { type: 'integer' },
  },
} as const;

export function programmeRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config, clock } = context;
  const query = (params: PairsParams, offset: number, limit: number | null): HealthQuery => ({
    sort: params.sort ?? 'risk',
    atRiskOnly: params.at_risk === 'true',
    search: params.q?.trim() ?? '',
    offset,
    limit,
    rules: config.programme,
    now: clock(),
  });

  app.get<{ Querystring: PairsParams }>(
    '/api/programme/pairs',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Every active or paused pair's health, at-risk pairs first",
        description:
          'ADMIN or a server API key. Counts kept as messages are stored, no content. A page at a time: pass `next_cursor` as `cursor` until it is null; the order is decided again for each page.',
        tags: ['programme'],
        security: signedIn,
        querystring: pairsQuery,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['pairs', 'next_cursor'],
              properties: { pairs: { type: 'array', items: pairHealthSchema }, next_cursor: { type: ['string', 'null'] } },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const offset = Number(request.query.cursor ?? 0);
      const limit = request.query.limit === undefined ? PAGE : Number(request.query.limit);
      const { rows, more } = await healthTable(store, query(request.query, offset, limit));
      return { pairs: rows, next_cursor: more ? String(offset + rows.length) : null };
    },
  );

  app.get<{ Querystring: Omit<PairsParams, 'cursor' | 'limit'> }>(
    '/api/programme/pairs.csv',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'The pair health table as CSV, for a spreadsheet',
        description:
          "ADMIN or a server API key. Every row at once. A cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return starts with `'` so that no spreadsheet runs it.",
        tags: ['programme'],
        security: signedIn,
        produces: ['text/csv'],
        querystring: csvQuery,
        response: withErrors({ 200: { type: 'string', description: 'text/csv' } }, ['forbidden']),
      },
    },
    async (request, reply) => {
      const { rows } = await healthTable(store, query(request.query, 0, null));
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="tandem-pairs-${clock().toISOString().slice(0, 10)}.csv"`)
        .send(pairsCsv(rows));
    },
  );

  app.get<{ Querystring: { weeks?: string } }>(
    '/api/programme/activity',
    {
      config: { access: 'admin' },
      schema: {
        summary: "The programme's weeks: messages, pairs that wrote, new and ended matches",
        description: 'ADMIN or a server API key. ISO weeks (Monday to Sunday, UTC), newest last, the current week included.',
        tags: ['programme'],
        security: signedIn,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { weeks: { type: 'string', pattern: '^(10[0-4]|[1-9][0-9]?)$', description: 'How many weeks, 1 to 104 (default 12)' } },
        },
        response: withErrors(
          {
            200: { type: 'object', additionalProperties: false, required: ['weeks'], properties: { weeks: { type: 'array', items: activityWeekSchema } } },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const count = Number(request.query.weeks ?? 12);
      const now = clock();
      const stored = await store.programme.weeks(mondayOf(dayOf(now)) - (count - 1) * 7);
      return { weeks: activityWeeks(stored, count, now) };
    },
  );
}
