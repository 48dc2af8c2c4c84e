/** Admin-only user creation (any role, ADMIN included). */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.js';
import { newUserBody, publicUser, signedIn, userSchema, withErrors, type NewUserBody } from '../schemas.js';
import { createUser } from './auth.js';

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
}
