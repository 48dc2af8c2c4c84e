/**
 * A way back in after a forgotten password: an admin (or the platform, with a server API
 * key) makes a one-time link for a user; whoever opens it sets a new password under the same
 * rules as registration, and every session of the user ends. The token is 256 random bits,
 * kept only as its SHA-256, good once and for `PASSWORD_RESET_TTL_MINUTES`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { passwordProblem } from '../../auth/password-policy.js';
import { hashPassword } from '../../auth/passwords.js';
import { hashSessionToken, newSessionToken } from '../../auth/sessions.js';
import { AppError } from '../../errors.js';
import { NO_PASSWORD, normalizeEmail } from '../../store/index.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { revokeEverywhere } from '../revocations.js';
import { emailParam, emptyBody, passwordSchema, signedIn, withErrors } from '../schemas.js';

const resetBody = {
  type: 'object',
  additionalProperties: false,
  required: ['token', 'password'],
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 256, 'x-text': 'secret', description: 'The token of the link (after `#token=`)' },
    password: passwordSchema,
  },
} as const;

const linkSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'expires_at'],
  properties: {
    url: { type: 'string', description: 'The one-time link to give the user: `/reset-password#token=…` (the token never reaches a server log)' },
    expires_at: { type: 'string', format: 'date-time' },
  },
  description: 'The link, shown this once: only its hash is kept',
} as const;

/** Where the pages are: `PUBLIC_ORIGIN`, else the request's own origin. */
function originOf(context: RouteContext, request: FastifyRequest): string {
  return context.config.publicOrigin ?? `${request.protocol}://${request.host}`;
}

export function passwordResetRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;

  app.post<{ Params: { email: string } }>(
    '/api/users/:email/password-reset',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Make a one-time password reset link for a user',
        description:
          'ADMIN or a server API key; audited (`create_password_reset`). The link sets a new password once, within ' +
          '`PASSWORD_RESET_TTL_MINUTES`; using it ends every other link of the user. A user who signs in through the platform ' +
          '(no password of their own, an erased user too) has none to reset: 409 `no_local_password`.',
        tags: ['admin'],
        security: signedIn,
        params: emailParam('email', "The user's email (compared case-insensitively)"),
        body: emptyBody,
        response: withErrors({ 201: linkSchema }, ['forbidden', 'user_not_found', 'no_local_password']),
      },
    },
    async (request, reply) => {
      const email = normalizeEmail(request.params.email);
      const found = await store.accounts.credentials(email);
      if (found === null) throw new AppError('user_not_found');
      if (found.passwordHash === NO_PASSWORD) throw new AppError('no_local_password');
      const token = newSessionToken();
      const expiresAt = new Date(Date.now() + config.passwordResetTtlMinutes * 60_000);
      await store.sessions.createPasswordReset(hashSessionToken(token), found.user.id, expiresAt);
      await audit(context, request, 'create_password_reset', `user:${email}`, { expires_at: expiresAt.toISOString() });
      return reply.code(201).send({ url: `${originOf(context, request)}/reset-password#token=${token}`, expires_at: expiresAt.toISOString() });
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/api/auth/password-reset',
    {
      config: { access: 'none' },
      schema: {
        summary: 'Set a new password with a reset link',
        description:
          'Anyone holding a valid link. The password rules of registration apply (`weak_password`, and the link stays good); ' +
          'then the link is used up, every session of the user ends (their sockets get `force_disconnect`, `logged_out`, on ' +
          'every instance) and the change is audited (`password_reset`). A used, expired or unknown link: 410 `reset_link_invalid`. ' +
          'Not throttled: a token is 256 random bits, beyond guessing.',
        tags: ['auth'],
        body: resetBody,
        response: withErrors({ 204: { type: 'null', description: 'The password is set; sign in with it' } }, ['reset_link_invalid', 'weak_password']),
      },
    },
    async (request, reply) => {
      const tokenHash = hashSessionToken(request.body.token);
      const userId = await store.sessions.passwordResetUser(tokenHash, new Date());
      const [user] = userId === null ? [] : await store.accounts.byIds([userId]);
      const found = user === undefined ? null : await store.accounts.credentials(user.email);
      // An account the platform took over (or erased) since the link was made has no password to reset.
      if (found === null || found.passwordHash === NO_PASSWORD) throw new AppError('reset_link_invalid');
      const weak = passwordProblem(request.body.password, { email: found.user.email, firstName: found.user.firstName, lastName: found.user.lastName });
      if (weak !== null) throw new AppError('weak_password', weak);
      const next = await hashPassword(request.body.password, config.passwordScryptN);
      if (!(await store.sessions.usePasswordReset(tokenHash, new Date()))) throw new AppError('reset_link_invalid');
      if (!(await store.accounts.replacePasswordHash(found.user.id, found.passwordHash, next))) throw new AppError('reset_link_invalid');
      const revoked = await store.sessions.revokeAllOf(found.user.id);
      await revokeEverywhere(context.hub, revoked, (error) => request.log.error({ err: error }, 'revocation broadcast failed'));
      await store.audit.record({
        actor: found.user.email,
        action: 'password_reset',
        target: `user:${found.user.email}`,
        detail: { sessions_ended: revoked.length },
      });
      return reply.code(204).send();
    },
  );
}
