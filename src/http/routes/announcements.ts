/**
 * Announcements (PROTOCOL.md Part 9): a coordinator writes to every mentor and mentee, or to
 * one side. Stored first, then sent as `announcement` to every open connection of its
 * audience on every instance (a layer broadcast: each instance hands it to its own chat
 * sockets and event streams); whoever was away reads the list.
 */
import type { FastifyInstance } from 'fastify';
import { ANNOUNCEMENT_AUDIENCES, type AnnouncementAudience, type AnnouncementEntry, type AnnouncementOut } from '../../protocol/programme.js';
import type { Announcement, Role } from '../../store/index.js';
import { callerOf } from '../access.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { signedIn, withErrors } from '../schemas.js';

const PAGE = 50;

const entrySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['announcement_id', 'content', 'audience', 'timestamp'],
  properties: {
    announcement_id: { type: 'string' },
    content: { type: 'string' },
    audience: { type: 'string', enum: [...ANNOUNCEMENT_AUDIENCES] },
    timestamp: { type: 'string', format: 'date-time' },
  },
} as const;

/** Which audiences a role reads: an admin reads every announcement. */
const AUDIENCES_OF: Record<Role, readonly AnnouncementAudience[]> = { MENTOR: ['all', 'mentors'], MENTEE: ['all', 'mentees'], ADMIN: ANNOUNCEMENT_AUDIENCES };

const entryOf = (announcement: Announcement): AnnouncementEntry => ({
  announcement_id: String(announcement.id),
  content: announcement.content,
  audience: announcement.audience,
  timestamp: announcement.createdAt.toISOString(),
});

export function announcementRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, layer } = context;

  app.post<{ Body: { content: string; audience: AnnouncementAudience } }>(
    '/api/programme/announcements',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Announce to every mentor and mentee, or to one side',
        description:
          'ADMIN or a server API key. Stored, then sent as an `announcement` frame to every open chat socket and event stream of the audience, on every instance; `GET /api/announcements` lists it for whoever was away. Audited.',
        tags: ['programme'],
        security: signedIn,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['content', 'audience'],
          properties: {
            content: { type: 'string', minLength: 1, maxLength: 2000, pattern: '\\S', 'x-text': 'prose' },
            audience: { type: 'string', enum: [...ANNOUNCEMENT_AUDIENCES] },
          },
        },
        response: withErrors({ 201: { ...entrySchema, description: 'The announcement, as the list shows it' } }, ['forbidden']),
      },
    },
    async (request, reply) => {
      const announcement = await store.announcements.create(request.body.content, request.body.audience);
      const entry = entryOf(announcement);
      await audit(context, request, 'announce', `announcement:${announcement.id}`, { audience: announcement.audience });
      const frame: AnnouncementOut = { type: 'announcement', announcement_id: entry.announcement_id, content: entry.content, timestamp: entry.timestamp };
      // Stored: a broadcast lost to a layer outage leaves it in everyone's list.
      await layer.broadcast({ kind: 'announcement', audience: announcement.audience, frame }).catch((error: unknown) => {
        request.log.error({ err: error }, 'sending an announcement live failed; it is in the list');
      });
      return reply.code(201).send(entry);
    },
  );

  app.get<{ Querystring: { after?: string; limit?: string } }>(
    '/api/announcements',
    {
      config: { access: 'user' },
      schema: {
        summary: 'The announcements addressed to me',
        description:
          'Signed in. Oldest first, after the announcement `after` when given, at most `limit` (default 50, at most 100). An admin reads every announcement.',
        tags: ['programme'],
        security: signedIn,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'The id of the last announcement read' },
            limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
          },
        },
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['announcements'],
              properties: { announcements: { type: 'array', items: entrySchema } },
            },
          },
          [],
        ),
      },
    },
    async (request) => {
      const audiences = AUDIENCES_OF[callerOf(request).user.role];
      const list = await store.announcements.list(audiences, Number(request.query.after ?? 0), Number(request.query.limit ?? PAGE));
      return { announcements: list.map(entryOf) };
    },
  );
}
