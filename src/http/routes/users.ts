/** Admin-only user creation (any role, ADMIN included). */
import type { FastifyInstance } from 'fastify';
import { requireAdmin, type RouteContext } from '../context.js';
import { newUserBody, publicUser, type NewUserBody } from '../schemas.js';
import { createUser } from './auth.js';

export function userRoutes(app: FastifyInstance, context: RouteContext): void {
  app.post<{ Body: NewUserBody }>('/api/users', { schema: { body: newUserBody(['MENTOR', 'MENTEE', 'ADMIN']) } }, async (request, reply) => {
    await requireAdmin(context, request);
    const user = await createUser(context, request.body);
    return reply.code(201).send(publicUser(user));
  });
}
