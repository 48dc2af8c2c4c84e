/** Register, login (throttled), logout and `GET /api/me`. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { passwordProblem } from '../../auth/password-policy.js';
import { hashPassword, needsRehash, verifyAgainstNothing, verifyPassword } from '../../auth/passwords.js';
import { hashSessionToken, newSessionToken, sessionCookie } from '../../auth/sessions.js';
import { AppError, isAppError } from '../../errors.js';
import { recordLoginAttempt } from '../../metrics.js';
import { reservedEmailProblem } from '../../protocol/erased-email.js';
import { emailProblem, nameProblem } from '../../protocol/text.js';
import { NO_PASSWORD, normalizeEmail, type User } from '../../store/index.js';
import { callerOf } from '../access.js';
import { requireUser, type RouteContext } from '../context.js';
import { sendError } from '../errors.js';
import { emptyBody, newUserBody, publicUser, signedIn, userSchema, withErrors, type NewUserBody } from '../schemas.js';
import { LoginThrottle, RegistrationThrottle } from '../throttle.js';

const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254, 'x-text': 'email' },
    password: { type: 'string', minLength: 1, maxLength: 1024, 'x-text': 'secret' },
  },
} as const;

const THROTTLED = 'Too many failed logins, try again later';
const REGISTRATIONS_THROTTLED = 'Too many registrations from this address, try again later';

export function authRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;
  const throttle = new LoginThrottle(store, config.loginThrottle);
  const registrations = new RegistrationThrottle(store, config.registrationThrottle);
  const localOn = config.identity.methods.includes('local');

  app.post<{ Body: NewUserBody }>(
    '/api/auth/register',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Register as a MENTEE (or a MENTOR, when allowed)',
        description:
          'Anyone, unless `REGISTRATION=closed`, in a role `SELF_REGISTRATION_ROLES` lists (by default `MENTEE` only: a ' +
          'programme vets its mentors, so an admin creates them; another role is refused with `role_not_self_registered`). The email is kept lower-cased. Attempts are counted per client address; past ' +
          "the limit the answer is 429 with `Retry-After` (seconds). A common password, or one containing the email's local " +
          'part or a name, is refused with `weak_password`.',
        tags: ['auth'],
        body: newUserBody(['MENTOR', 'MENTEE']),
        response: withErrors({ 201: { ...userSchema, description: 'The new user' } }, [
          'weak_password',
          'registration_closed',
          'role_not_self_registered',
          'local_auth_disabled',
          'email_taken',
          'rate_limited',
        ]),
      },
    },
    async (request, reply) => {
      if (!localOn) throw new AppError('local_auth_disabled');
      if (!config.registrationOpen) throw new AppError('registration_closed');
      const verdict = await registrations.attempt(request.ip);
      if (!verdict.ok) return sendError(reply.header('retry-after', String(verdict.retryAfterSeconds)), 'rate_limited', REGISTRATIONS_THROTTLED);
      const { role } = request.body;
      if (role === 'ADMIN' || !config.selfRegistrationRoles.includes(role)) {
        throw new AppError(
          'role_not_self_registered',
          role === 'MENTOR' ? undefined : `Registering as a ${role.toLowerCase()} is not open: an admin creates these accounts`,
        );
      }
      const user = await createUser(context, request.body);
      return reply.code(201).send(publicUser(user));
    },
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/api/auth/login',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Sign in',
        description:
          'Sets `sessionid` (HttpOnly, SameSite=Lax, Path=/; Secure when configured), a new id at every login. One answer for an ' +
          'unknown email and a wrong password. Failed attempts are counted per account and per client address; past either ' +
          'limit the answer is 429 with `Retry-After` (seconds), whatever the password. Successful logins never count.',
        tags: ['auth'],
        body: loginBody,
        response: withErrors({ 200: { ...userSchema, description: 'Signed in; the cookie is set' } }, [
          'invalid_credentials',
          'local_auth_disabled',
          'rate_limited',
        ]),
      },
    },
    async (request, reply) => {
      // A session nothing would accept: refused before any password work.
      if (!localOn) throw new AppError('local_auth_disabled');
      const problem = emailProblem(request.body.email);
      if (problem !== null) throw new AppError('invalid_request', `email ${problem}`);
      const email = normalizeEmail(request.body.email);
      const verdict = await throttle.attempt(email, request.ip);
      if (!verdict.ok) {
        recordLoginAttempt('throttled');
        return sendError(reply.header('retry-after', String(verdict.retryAfterSeconds)), 'rate_limited', THROTTLED);
      }
      const found = await store.accounts.credentials(email);
      // A user the platform created has no password: refused after the same work as anyone.
      const ok =
        found && found.passwordHash !== NO_PASSWORD
          ? await verifyPassword(request.body.password, found.passwordHash)
          : await verifyAgainstNothing(request.body.password, config.passwordScryptN);
      if (!found || !ok) {
        recordLoginAttempt('failure');
        throw new AppError('invalid_credentials');
      }
      await throttle.succeeded(verdict);
      recordLoginAttempt('success');
      if (needsRehash(found.passwordHash, config.passwordScryptN)) await rehashAt(context, request, found.user.id, found.passwordHash);
      const token = newSessionToken();
      await store.sessions.create(hashSessionToken(token), found.user.id, new Date(Date.now() + config.sessionTtlSeconds * 1000));
      reply.header('set-cookie', sessionCookie(token, config.sessionTtlSeconds, config.cookieSecure));
      return publicUser(found.user);
    },
  );

  app.post(
    '/api/auth/logout',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Sign out',
        description: 'Revokes the session; its live sockets get `force_disconnect` (`logged_out`) on every instance.',
        tags: ['auth'],
        security: signedIn,
        body: emptyBody,
        response: { 204: { type: 'null', description: 'Signed out; the cookie is cleared' } },
      },
    },
    async (request, reply) => {
      const { sessionHash } = callerOf(request);
      await store.sessions.revoke(sessionHash);
      await context.hub.revokeSession(sessionHash, 'logged_out').catch((error: unknown) => request.log.error({ err: error }, 'revocation broadcast failed'));
      reply.header('set-cookie', sessionCookie('', 0, config.cookieSecure));
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/auth/session',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Who is signed in, if anyone',
        description: 'Anyone: the signed-in user, or `null` — never 401, so a page can ask before showing sign-in without an error in the console.',
        tags: ['auth'],
        response: {
          200: { type: 'object', additionalProperties: false, required: ['user'], properties: { user: { anyOf: [userSchema, { type: 'null' }] } } },
        },
      },
    },
    async (request) => {
      try {
        return { user: publicUser((await requireUser(context, request)).user) };
      } catch (error) {
        if (isAppError(error) && error.code === 'unauthenticated') return { user: null };
        throw error;
      }
    },
  );

  app.get(
    '/api/me',
    {
      config: { access: 'user' },
      schema: {
        summary: 'The signed-in user and their current partners',
        tags: ['auth'],
        security: signedIn,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['user', 'partners', 'conversation_policy'],
            properties: {
              user: userSchema,
              partners: { type: 'array', items: userSchema },
              conversation_policy: {
                type: 'string',
                enum: ['private', 'oversight', 'moderated'],
                description: 'What coordinators can see of conversations (`CONVERSATION_POLICY`), so the page can tell participants (PROTOCOL.md Part 7)',
              },
              safeguarding_contact: {
                type: 'string',
                description: 'Whom to reach at once when something worries the user (`SAFEGUARDING_CONTACT`); absent when unset',
              },
            },
            description: 'A mentee has at most one partner (her mentor); a mentor one per mentee; an admin none',
          },
        },
      },
    },
    async (request) => {
      const { user } = callerOf(request);
      const matches = await store.matches.list(user.id);
      const partners = matches.map((match) => publicUser(match.mentor.id === user.id ? match.mentee : match.mentor));
      const contact = config.programme.safeguardingContact;
      return {
        user: publicUser(user),
        partners,
        conversation_policy: config.safeguarding.policy,
        ...(contact === null ? {} : { safeguarding_contact: contact }),
      };
    },
  );
}

/**
 * Makes the hash of a password just verified again at the configured cost (PASSWORD_SCRYPT_N
 * raised, or a hash from before OWASP's parameters). The sign-in succeeds whatever becomes
 * of it: a failure is logged and the next sign-in tries again.
 */
async function rehashAt(context: RouteContext, request: FastifyRequest<{ Body: { password: string } }>, userId: number, previous: string): Promise<void> {
  try {
    await context.store.accounts.replacePasswordHash(userId, previous, await hashPassword(request.body.password, context.config.passwordScryptN));
  } catch (error) {
    request.log.error({ err: error }, 'upgrading a password hash failed');
  }
}

/**
 * Creates a user from a schema-valid body; the email is kept lower-cased. Everything cheap is
 * checked before the password is hashed (scrypt is the expensive part): the names' text, a
 * taken email (`email_taken`), the password rules (`weak_password`).
 */
export async function createUser(context: RouteContext, body: NewUserBody): Promise<User> {
  const email = normalizeEmail(body.email);
  const reserved = reservedEmailProblem(email);
  if (reserved !== null) throw new AppError('invalid_request', `email: ${reserved}`);
  const firstName = body.first_name.trim();
  const lastName = body.last_name.trim();
  for (const [field, value] of [
    ['first_name', firstName],
    ['last_name', lastName],
  ] as const) {
    const problem = nameProblem(value);
    if (problem !== null) throw new AppError('invalid_request', `${field} ${problem}`);
  }
  if (await context.store.accounts.byEmail(email)) throw new AppError('email_taken');
  const weak = passwordProblem(body.password, { email, firstName, lastName });
  if (weak !== null) throw new AppError('weak_password', weak);
  // A concurrent registration of the same email still ends in the store's email_taken.
  return context.store.accounts.create({
    email,
    passwordHash: await hashPassword(body.password, context.config.passwordScryptN),
    firstName,
    lastName,
    role: body.role,
  });
}
