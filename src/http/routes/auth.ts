/** Register, login, logout and `GET /api/me`. */
import type { FastifyInstance } from 'fastify';
import { hashPassword, verifyAgainstNothing, verifyPassword } from '../../auth/passwords.js';
import { hashSessionToken, newSessionToken, sessionCookie } from '../../auth/sessions.js';
import { AppError } from '../../errors.js';
import { normalizeEmail, type User } from '../../store/index.js';
import { requireUser, type RouteContext } from '../context.js';
import { newUserBody, publicUser, type NewUserBody } from '../schemas.js';

const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: { email: { type: 'string', minLength: 1, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 1024 } },
} as const;

export function authRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;

  app.post<{ Body: NewUserBody }>('/api/auth/register', { schema: { body: newUserBody(['MENTOR', 'MENTEE']) } }, async (request, reply) => {
    if (!config.registrationOpen) throw new AppError('registration_closed');
    const user = await createUser(context, request.body);
    return reply.code(201).send(publicUser(user));
  });

  app.post<{ Body: { email: string; password: string } }>('/api/auth/login', { schema: { body: loginBody } }, async (request, reply) => {
    const found = await store.credentialsByEmail(normalizeEmail(request.body.email));
    const ok = found ? await verifyPassword(request.body.password, found.passwordHash) : await verifyAgainstNothing(request.body.password);
    if (!found || !ok) throw new AppError('invalid_credentials');
    const token = newSessionToken();
    await store.createSession(hashSessionToken(token), found.user.id, new Date(Date.now() + config.sessionTtlSeconds * 1000));
    reply.header('set-cookie', sessionCookie(token, config.sessionTtlSeconds, config.cookieSecure));
    return publicUser(found.user);
  });

  app.post('/api/auth/logout', async (request, reply) => {
    const { sessionHash } = await requireUser(context, request);
    await store.revokeSession(sessionHash);
    await context.hub.revokeSession(sessionHash, 'logged_out').catch((error: unknown) => request.log.error({ err: error }, 'revocation broadcast failed'));
    reply.header('set-cookie', sessionCookie('', 0, config.cookieSecure));
    return reply.code(204).send();
  });

  app.get('/api/me', async (request) => {
    const { user } = await requireUser(context, request);
    const matches = await store.listMatches(user.id);
    const partners = matches.map((match) => publicUser(match.mentor.id === user.id ? match.mentee : match.mentor));
    return { user: publicUser(user), partners };
  });
}

/** Creates a user from a validated body; the email is kept lower-cased. */
export async function createUser(context: RouteContext, body: NewUserBody): Promise<User> {
  return context.store.createUser({
    email: normalizeEmail(body.email),
    passwordHash: await hashPassword(body.password),
    firstName: body.first_name.trim(),
    lastName: body.last_name.trim(),
    role: body.role,
  });
}
