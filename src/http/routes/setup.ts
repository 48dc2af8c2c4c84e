/**
 * The first run: `GET /setup` (the page) and `POST /api/setup` (the first admin), open only
 * while no admin exists and only with the token this instance printed at start (see
 * auth/setup-token.ts). Tries are counted like failed logins of the address, so the token
 * cannot be guessed at speed; once an admin exists both refuse everyone with 410.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { hashSessionToken, newSessionToken, sessionCookie } from '../../auth/sessions.js';
import { AppError } from '../../errors.js';
import type { RouteContext } from '../context.js';
import { sendError } from '../errors.js';
import { emailSchema, nameSchema, passwordSchema, publicUser, userSchema, withErrors } from '../schemas.js';
import { LoginThrottle } from '../throttle.js';
import { createUser } from './auth.js';

interface SetupBody {
  token: string;
  email: string;
  password: string;
  first_name: string;
  last_name: string;
}

const setupBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'email', 'password', 'first_name', 'last_name'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 256, 'x-text': 'secret', description: 'The token of the link Tandem printed at start' },
    email: emailSchema,
    password: passwordSchema,
    first_name: nameSchema,
    last_name: nameSchema,
  },
} as const;

/** The throttle's account key for setup tries: a fixed name, never user input. */
const SETUP_KEY = 'setup';

/** Shown at `/setup` once an admin exists: the page is gone for everyone. */
const CLOSED_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tandem · Set up</title><link rel="icon" href="data:,"></head>' +
  '<body><h1>Tandem is set up</h1><p>An admin exists already. <a href="/admin">Sign in on the admin page</a>.</p></body></html>';

export function setupRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config, setup } = context;
  const throttle = new LoginThrottle(store, config.loginThrottle);

  /** Whether an admin exists; once seen, the gate closes for good and the store is not asked again. */
  const adminExists = async (): Promise<boolean> => {
    if (setup.closed) return true;
    const { entries } = await store.accounts.directory({ role: 'ADMIN', limit: 1 });
    if (entries.length > 0) setup.close();
    return entries.length > 0;
  };

  app.get('/setup', { config: { access: 'none' }, schema: { hide: true } }, async (_request, reply: FastifyReply) => {
    if (await adminExists()) return reply.code(410).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(CLOSED_PAGE);
    return reply.sendFile('setup.html');
  });

  app.post<{ Body: SetupBody }>(
    '/api/setup',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Create the first admin (first run)',
        description:
          'Only while no admin exists, with the token of the link Tandem printed at start (valid for an hour, once). Sets the ' +
          '`sessionid` cookie of the new admin. Tries count as failed logins of the address (429 with `Retry-After` past the ' +
          'limit). Once an admin exists: 410 `setup_closed` for everyone.',
        tags: ['auth'],
        body: setupBody,
        response: withErrors({ 201: { ...userSchema, description: 'The first admin, signed in' } }, [
          'setup_token_invalid',
          'setup_closed',
          'setup_expired',
          'weak_password',
          'rate_limited',
        ]),
      },
    },
    async (request, reply) => {
      if (await adminExists()) throw new AppError('setup_closed');
      const verdict = await throttle.attempt(SETUP_KEY, request.ip);
      if (!verdict.ok)
        return sendError(reply.header('retry-after', String(verdict.retryAfterSeconds)), 'rate_limited', 'Too many setup tries, try again later');
      const check = setup.check(request.body.token, context.clock());
      if (check === 'closed') throw new AppError('setup_closed');
      if (check === 'wrong') throw new AppError('setup_token_invalid');
      if (check === 'expired') throw new AppError('setup_expired');
      const held = setup.take();
      let admin;
      try {
        admin = await createUser(context, { ...request.body, role: 'ADMIN' });
      } catch (error) {
        held.release();
        throw error;
      }
      held.finish();
      await throttle.succeeded(verdict);
      request.log.info({ admin: admin.id }, 'the first admin was created through the setup link');
      const token = newSessionToken();
      await store.sessions.create(hashSessionToken(token), admin.id, new Date(Date.now() + config.sessionTtlSeconds * 1000));
      reply.header('set-cookie', sessionCookie(token, config.sessionTtlSeconds, config.cookieSecure));
      return reply.code(201).send(publicUser(admin));
    },
  );
}
