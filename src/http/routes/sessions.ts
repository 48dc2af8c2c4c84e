/**
 * A user's own sign-ins (ASVS session management): the list of their live sessions, and
 * "sign out everywhere", which revokes every one of them and closes their sockets and event
 * streams on every instance. Sessions are Tandem's own (`local`); a platform's tokens and
 * cookies end at the platform.
 */
import type { FastifyInstance } from 'fastify';
import { credentialHash } from '../../auth/identity.js';
import { sessionCookie } from '../../auth/sessions.js';
import { callerOf } from '../access.js';
import { revokeEverywhere } from '../revocations.js';
import type { RouteContext } from '../context.js';
import { emptyBody, signedIn, withErrors } from '../schemas.js';

const sessionSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'created_at', 'expires_at', 'current'],
  properties: {
    id: { type: 'string', description: 'Names the session in this list; not a credential' },
    created_at: { type: 'string', format: 'date-time', description: 'When the user signed in' },
    expires_at: { type: 'string', format: 'date-time' },
    current: { type: 'boolean', description: 'The session this request came with' },
  },
} as const;

/** A name for a session that shows nothing of the token or of its stored hash. */
const sessionId = (tokenHash: string) => credentialHash('session-id', tokenHash).slice(0, 22);

export function sessionRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;

  app.get(
    '/api/auth/sessions',
    {
      config: { access: 'user' },
      schema: {
        summary: 'My sessions',
        description: "The caller's live sessions (signed in with a password, not expired, not signed out), newest first.",
        tags: ['auth'],
        security: signedIn,
        response: withErrors(
          {
            200: { type: 'object', additionalProperties: false, required: ['sessions'], properties: { sessions: { type: 'array', items: sessionSchema } } },
          },
          [],
        ),
      },
    },
    async (request) => {
      const { user, sessionHash } = callerOf(request);
      const sessions = await store.sessions.liveOf(user.id, new Date());
      return {
        sessions: sessions.map((session) => ({
          id: sessionId(session.tokenHash),
          created_at: session.createdAt.toISOString(),
          expires_at: session.expiresAt.toISOString(),
          current: session.tokenHash === sessionHash,
        })),
      };
    },
  );

  app.delete(
    '/api/auth/sessions',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Sign out everywhere',
        description:
          'Revokes every session of the caller, this one included; every chat socket and event stream of those sessions, ' +
          'on every instance, gets `force_disconnect` (`logged_out`) and closes. The cookie is cleared.',
        tags: ['auth'],
        security: signedIn,
        body: emptyBody,
        response: { 204: { type: 'null', description: 'Signed out everywhere' } },
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request);
      const revoked = await store.sessions.revokeAllOf(user.id);
      // Revoked in the store first: the sessions prove nothing from now on, whatever the broadcast does.
      await revokeEverywhere(context.hub, revoked, (error) => request.log.error({ err: error }, 'revocation broadcast failed'));
      reply.header('set-cookie', sessionCookie('', 0, config.cookieSecure));
      return reply.code(204).send();
    },
  );
}
