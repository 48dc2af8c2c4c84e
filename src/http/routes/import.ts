/** `POST /api/import`: a platform's users, matches and history, streamed as NDJSON (see src/import/). */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { importNdjson } from '../../import/importer.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { revokeEverywhere } from '../revocations.js';
import { signedIn, withErrors } from '../schemas.js';

const counts = (names: readonly string[]) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: [...names],
    properties: Object.fromEntries(names.map((n) => [n, { type: 'integer', minimum: 0 }])),
  }) as const;

const reportSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['lines', 'users', 'matches', 'messages', 'refused', 'refused_total'],
  properties: {
    lines: { type: 'integer', minimum: 0, description: 'Lines read' },
    users: counts(['created', 'updated', 'unchanged']),
    matches: counts(['created', 'unchanged']),
    messages: counts(['created', 'unchanged']),
    refused: {
      type: 'array',
      description: 'The first 1000 refused lines: the line number, an error code of the catalogue, and why',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['line', 'error', 'message'],
        properties: { line: { type: 'integer', minimum: 1 }, error: { type: 'string' }, message: { type: 'string' } },
      },
    },
    refused_total: { type: 'integer', minimum: 0 },
  },
  description: 'What the import did; re-running the same file reports everything `unchanged`',
} as const;

export function importRoutes(app: FastifyInstance, context: RouteContext): void {
  // The body is handed over as the stream it is: the importer reads it line by line.
  app.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));

  app.post(
    '/api/import',
    {
      config: { access: 'admin', bodyType: 'ndjson' },
      schema: {
        summary: "Import a platform's users, matches and history (NDJSON)",
        description:
          'ADMIN or a server API key; the body is `application/x-ndjson`, one JSON object a line: ' +
          '`{"kind":"user",email,first_name,last_name,role}`, `{"kind":"match",mentor_email,mentee_email}`, ' +
          '`{"kind":"message",external_id,sender_email,receiver_email,content,timestamp,is_read}`. Streamed, never read ' +
          "whole into memory; lines apply in order. Messages get `seq` in timestamp order (a pair's messages must come " +
          'oldest first); re-running the same file changes nothing (`external_id`). Bad lines are refused by number and ' +
          'the rest is imported; a `user` line never changes the role of a user with an active match (`role_locked`), and an ' +
          "account that had a password becomes the platform's (password cleared, sessions ended). The whole upload must arrive within `HTTP_REQUEST_TIMEOUT_MS`: for big files use `npm run import`.",
        tags: ['admin'],
        security: signedIn,
        response: withErrors({ 200: reportSchema }, ['forbidden']),
      },
    },
    async (request) => {
      const body = request.body as Readable | null;
      const report = await importNdjson(body ?? Readable.from([]), {
        store: context.store,
        mentorCapacity: context.config.mentorCapacity,
        onSessionsRevoked: (hashes) => revokeEverywhere(context.hub, hashes, (error) => request.log.error({ err: error }, 'revocation broadcast failed')),
      });
      await audit(context, request, 'import', 'history', {
        lines: report.lines,
        users: report.users,
        matches: report.matches,
        messages: report.messages,
        refused: report.refused_total,
      });
      return report;
    },
  );
}
