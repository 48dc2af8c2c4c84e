/** Users for admins: creating one of any role, the platform's idempotent create-or-update, and the directory of everyone with their partners. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { reservedEmailProblem } from '../../protocol/erased-email.js';
import { nameProblem } from '../../protocol/text.js';
import { normalizeEmail, type DirectoryQuery, type Role } from '../../store/index.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { revokeEverywhere } from '../revocations.js';
import { emailParam, nameSchema, newUserBody, publicUser, signedIn, userSchema, withErrors, type NewUserBody } from '../schemas.js';
import { createUser } from './auth.js';

const putUserBody = {
  type: 'object',
  additionalProperties: false,
  required: ['first_name', 'last_name', 'role'],
  properties: {
    first_name: nameSchema,
    last_name: { type: 'string', maxLength: 150, 'x-text': 'label', description: 'May be empty' },
    role: { type: 'string', enum: ['MENTOR', 'MENTEE', 'ADMIN'] },
  },
} as const;

const DIRECTORY_PAGE = 50;

const directoryQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: ['MENTOR', 'MENTEE', 'ADMIN'] },
    status: {
      type: 'string',
      enum: ['matched', 'unmatched'],
      description: 'Mentors and mentees with an active match, or without one (waiting); admins are neither',
    },
    q: { type: 'string', minLength: 1, maxLength: 100, 'x-text': 'search', description: 'Part of an email or of "First Last", case-insensitive' },
    cursor: { type: 'string', pattern: '^[0-9]{1,15}$', description: 'The `next_cursor` of the previous page' },
    limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$', description: `Page size, 1 to 100 (default ${DIRECTORY_PAGE})` },
  },
} as const;

interface DirectoryParams {
  role?: Role;
  status?: 'matched' | 'unmatched';
  q?: string;
  cursor?: string;
  limit?: string;
}

const directoryEntry = {
  type: 'object',
  additionalProperties: false,
  required: [...userSchema.required, 'registered_at', 'waiting_since', 'partners', 'load', 'capacity'],
  properties: {
    ...userSchema.properties,
    registered_at: { type: 'string', format: 'date-time' },
    waiting_since: { type: 'string', format: 'date-time', description: 'When the user registered, or when their last match ended if later' },
    partners: { type: 'array', items: userSchema, description: "Current partners: a mentee's mentor, a mentor's mentees" },
    load: { type: 'integer', minimum: 0, description: 'How many current partners' },
    capacity: {
      type: ['integer', 'null'],
      description: 'How many partners the user may have: `MENTOR_CAPACITY` for a mentor (null: unlimited), 1 for a mentee, 0 for an admin',
    },
  },
} as const;

export function userRoutes(app: FastifyInstance, context: RouteContext): void {
  app.post<{ Body: NewUserBody }>(
    '/api/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Create a user of any role',
        description: 'ADMIN only; works when registration is closed. The password rules of registration apply (`weak_password`).',
        tags: ['admin'],
        security: signedIn,
        body: newUserBody(['MENTOR', 'MENTEE', 'ADMIN']),
        response: withErrors({ 201: { ...userSchema, description: 'The new user' } }, ['weak_password', 'forbidden', 'email_taken']),
      },
    },
    async (request, reply) => {
      const user = await createUser(context, request.body);
      await audit(context, request, 'create_user', `user:${user.email}`, { role: user.role });
      return reply.code(201).send(publicUser(user));
    },
  );

  app.put<{ Params: { email: string }; Body: { first_name: string; last_name: string; role: Role } }>(
    '/api/users/:email',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Create or update a user (the platform's sync)",
        description:
          'ADMIN or a server API key. Idempotent: a retry, or two identical calls at once, end in one user. A user created ' +
          'here has no password (they cannot sign in with `local`; they come through `jwt` or `proxy`); an existing user who had ' +
          'one loses it and their sessions end: the platform vouches for this person, a password someone chose here never reaches ' +
          "them. A role change takes effect at the user's next request or handshake; a user with an active match keeps their " +
          'role (409 `role_locked`: end the match first).',
        tags: ['admin'],
        security: signedIn,
        params: emailParam('email', "The user's email (kept lower-cased)"),
        body: putUserBody,
        response: withErrors(
          {
            200: { ...userSchema, description: 'The user existed: updated, or already so' },
            201: { ...userSchema, description: 'The user was created' },
          },
          ['forbidden', 'role_locked'],
        ),
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.params.email);
      const reserved = reservedEmailProblem(email);
      if (reserved !== null) throw new AppError('invalid_request', `email: ${reserved}`);
      const firstName = request.body.first_name.trim();
      const lastName = request.body.last_name.trim();
      for (const [field, value] of [
        ['first_name', firstName],
        ['last_name', lastName],
      ] as const) {
        const problem = value === '' && field === 'last_name' ? null : nameProblem(value);
        if (problem !== null) throw new AppError('invalid_request', `${field} ${problem}`);
      }
      const before = await context.store.accounts.byEmail(email);
      const result = await context.store.accounts.upsert({ email, firstName, lastName, role: request.body.role });
      void revokeEverywhere(context.hub, result.revokedSessions, (error) => request.log.error({ err: error }, 'revocation broadcast failed'));
      if (result.created) {
        await audit(context, request, 'create_user', `user:${email}`, { role: result.user.role });
      } else if (result.changed) {
        const roleChanged = before !== null && before.role !== result.user.role;
        await audit(
          context,
          request,
          'update_user',
          `user:${email}`,
          roleChanged ? { role: result.user.role, previous_role: before.role } : { role: result.user.role },
        );
      }
      return reply.code(result.created ? 201 : 200).send(publicUser(result.user));
    },
  );

  app.get<{ Querystring: DirectoryParams }>(
    '/api/users',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'The directory: users with their partners, load and capacity',
        description:
          'ADMIN only. In order of registration, a page at a time: pass `next_cursor` as `cursor` until it is null. `status=unmatched` lists who is waiting for a match.',
        tags: ['admin'],
        security: signedIn,
        querystring: directoryQuery,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['users', 'next_cursor'],
              properties: { users: { type: 'array', items: directoryEntry }, next_cursor: { type: ['string', 'null'] } },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async (request) => {
      const { role, status, q, cursor, limit } = request.query;
      const query: DirectoryQuery = { limit: limit === undefined ? DIRECTORY_PAGE : Number(limit) };
      if (role) query.role = role;
      if (status) query.status = status;
      if (q && q.trim() !== '') query.search = q.trim();
      if (cursor !== undefined) query.afterId = Number(cursor);
      const page = await context.store.accounts.directory(query);
      const capacityOf = (role: Role) => (role === 'MENTOR' ? context.config.mentorCapacity : role === 'MENTEE' ? 1 : 0);
      return {
        users: page.entries.map(({ user, partners, lastEndedAt }) => ({
          ...publicUser(user),
          registered_at: user.createdAt.toISOString(),
          waiting_since: (lastEndedAt !== null && lastEndedAt > user.createdAt ? lastEndedAt : user.createdAt).toISOString(),
          partners: partners.map(publicUser),
          load: partners.length,
          capacity: capacityOf(user.role),
        })),
        next_cursor: page.nextAfterId === null ? null : String(page.nextAfterId),
      };
    },
  );
}
