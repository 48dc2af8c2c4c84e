/** Admin-only user creation (any role, ADMIN included), and the platform's idempotent create-or-update. */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { emailProblem, nameProblem } from '../../protocol/text.js';
import { normalizeEmail, type Role } from '../../store/index.js';
import type { RouteContext } from '../context.js';
import { emailParam, nameSchema, newUserBody, publicUser, signedIn, userSchema, withErrors, type NewUserBody } from '../schemas.js';
import { createUser } from './auth.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

const putUserBody = {
  type: 'object',
  additionalProperties: false,
  required: ['first_name', 'last_name', 'role'],
  properties: {
    first_name: nameSchema,
    last_name: { type: 'string', maxLength: 150, description: 'May be empty' },
    role: { type: 'string', enum: ['MENTOR', 'MENTEE', 'ADMIN'] },
  },
} as const;

export function userRoutes(app: FastifyInstance, context: RouteContext): void {
  app.post<{ Body: NewUserBody }>('/api/users', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create a user of any role',
      description: 'ADMIN only; works when registration is closed. The password rules of registration apply (`weak_password`).',
      tags: ['admin'],
      security: signedIn,
      body: newUserBody(['MENTOR', 'MENTEE', 'ADMIN']),
      response: withErrors({ 201: { ...userSchema, description: 'The new user' } }, ['weak_password', 'forbidden', 'email_taken']),
    },
  }, async (request, reply) => {
    const user = await createUser(context, request.body);
    return reply.code(201).send(publicUser(user));
  });

  app.put<{ Params: { email: string }; Body: { first_name: string; last_name: string; role: Role } }>('/api/users/:email', {
    config: { access: 'admin' },
    schema: {
      summary: 'Create or update a user (the platform\'s sync)',
      description:
        'ADMIN or a server API key. Idempotent: a retry, or two identical calls at once, end in one user. A user created ' +
        'here has no password (they cannot sign in with `local`; they come through `jwt` or `proxy`); an existing user keeps theirs. ' +
        'A role change takes effect at the user\'s next request or handshake.',
      tags: ['admin'],
      security: signedIn,
      params: emailParam('email', 'The user\'s email (kept lower-cased)'),
      body: putUserBody,
      response: withErrors({
        200: { ...userSchema, description: 'The user existed: updated, or already so' },
        201: { ...userSchema, description: 'The user was created' },
      }, ['forbidden']),
    },
  }, async (request, reply) => {
    const raw = request.params.email;
    if (emailProblem(raw) !== null || !EMAIL.test(raw.trim())) throw new AppError('invalid_request', 'email must be an email address');
    const firstName = request.body.first_name.trim();
    const lastName = request.body.last_name.trim();
    for (const [field, value] of [['first_name', firstName], ['last_name', lastName]] as const) {
      const problem = value === '' && field === 'last_name' ? null : nameProblem(value);
      if (problem !== null) throw new AppError('invalid_request', `${field} ${problem}`);
    }
    const result = await context.store.upsertUser({ email: normalizeEmail(raw), firstName, lastName, role: request.body.role });
    return reply.code(result.created ? 201 : 200).send(publicUser(result.user));
  });
}
