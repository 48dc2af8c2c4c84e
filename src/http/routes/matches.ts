/**
 * Matching: an admin pairs a mentee with a mentor, and may pause and resume the pair; the
 * admin or either participant ends it. Every change is announced to the pair's sockets and to
 * both people's event streams (see chat/announce.ts).
 */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { announceMatchCreated, announceMatchEnded, announceMatchState, type Announcer } from '../../chat/announce.js';
import { AppError } from '../../errors.js';
import { normalizeEmail, type Match } from '../../store/index.js';
import { callerOf } from '../access.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { emailParam, emailSchema, emptyBody, matchSchema, publicMatch, signedIn, withErrors } from '../schemas.js';

const matchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['mentor_email', 'mentee_email'],
  properties: { mentor_email: emailSchema, mentee_email: emailSchema },
} as const;

const putMatchBody = {
  type: 'object',
  additionalProperties: false,
  required: ['mentor_email'],
  properties: {
    mentor_email: emailSchema,
    replace: { type: 'boolean', description: "End the mentee's match with another mentor first (its sockets get `force_disconnect` `unmatched`)" },
  },
} as const;

export function matchRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;
  const announcer = (log: FastifyBaseLogger): Announcer => ({
    hub: context.hub,
    channels: context.channels,
    // The change is stored: only a live notice is lost, and clients re-read on reconnect.
    onError: (error) => log.error({ err: error }, 'announcing a match change failed'),
  });

  app.post<{ Body: { mentor_email: string; mentee_email: string } }>(
    '/api/matches',
    {
      config: { access: 'admin' },
      schema: {
        summary: 'Match a mentee with a mentor',
        description: 'ADMIN only. A mentee has at most one mentor; a mentor at most `MENTOR_CAPACITY` mentees. Rematching a former pair keeps its history.',
        tags: ['matches'],
        security: signedIn,
        body: matchBody,
        response: withErrors({ 201: { ...matchSchema, description: 'The new match' } }, [
          'forbidden',
          'wrong_role',
          'user_not_found',
          'already_matched',
          'mentor_at_capacity',
        ]),
      },
    },
    async (request, reply) => {
      const match = await store.matches.create(
        normalizeEmail(request.body.mentor_email, 'mentor_email'),
        normalizeEmail(request.body.mentee_email, 'mentee_email'),
        {
          mentorCapacity: config.mentorCapacity,
          actor: callerOf(request).user.email,
        },
      );
      await audit(context, request, 'match', `pair:${match.pairId}`, { mentor: match.mentor.email, mentee: match.mentee.email });
      await announceMatchCreated(announcer(request.log), match);
      return reply.code(201).send(publicMatch(match));
    },
  );

  app.put<{ Params: { mentee_email: string }; Body: { mentor_email: string; replace?: boolean } }>(
    '/api/matches/:mentee_email',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Set a mentee's mentor (the platform's sync)",
        description:
          'ADMIN or a server API key. Idempotent: 200 when the mentee already has this mentor, 201 when the match was made. ' +
          'A mentee with another mentor is 409 `already_matched`, unless `replace` is true: that match ends first, in the same ' +
          'transaction, and its sockets on every instance get `force_disconnect` (`unmatched`).',
        tags: ['matches'],
        security: signedIn,
        params: emailParam('mentee_email', 'The mentee'),
        body: putMatchBody,
        response: withErrors(
          {
            200: { ...matchSchema, description: 'Already so: nothing changed' },
            201: { ...matchSchema, description: 'The match was made' },
          },
          ['forbidden', 'wrong_role', 'user_not_found', 'already_matched', 'mentor_at_capacity'],
        ),
      },
    },
    async (request, reply) => {
      const result = await store.matches.put(
        normalizeEmail(request.params.mentee_email, 'mentee_email'),
        normalizeEmail(request.body.mentor_email, 'mentor_email'),
        {
          replace: request.body.replace === true,
          mentorCapacity: config.mentorCapacity,
          actor: callerOf(request).user.email,
        },
      );
      if (result.ended) {
        await audit(context, request, 'unmatch', `pair:${result.ended.pairId}`, {
          mentor: result.ended.mentor.email,
          mentee: result.ended.mentee.email,
          replaced: true,
        });
        await unmatched(announcer(request.log), result.ended);
      }
      if (result.created) {
        await audit(context, request, 'match', `pair:${result.match.pairId}`, { mentor: result.match.mentor.email, mentee: result.match.mentee.email });
        await announceMatchCreated(announcer(request.log), result.match);
      }
      return reply.code(result.created ? 201 : 200).send(publicMatch(result.match));
    },
  );

  app.get(
    '/api/matches',
    {
      config: { access: 'user' },
      schema: {
        summary: 'Active matches',
        description: 'An ADMIN sees all of them; a mentor or mentee their own.',
        tags: ['matches'],
        security: signedIn,
        response: {
          200: { type: 'object', additionalProperties: false, required: ['matches'], properties: { matches: { type: 'array', items: matchSchema } } },
        },
      },
    },
    async (request) => {
      const { user } = callerOf(request);
      const matches = await store.matches.list(user.role === 'ADMIN' ? undefined : user.id);
      return { matches: matches.map(publicMatch) };
    },
  );

  app.delete<{ Params: { mentee_email: string } }>(
    '/api/matches/:mentee_email',
    {
      config: { access: 'user' },
      schema: {
        summary: 'End a match',
        description: 'An ADMIN, or either participant. Every socket of the pair, on every instance, gets `force_disconnect` (`unmatched`).',
        tags: ['matches'],
        security: signedIn,
        params: emailParam('mentee_email', 'The mentee of the match'),
        response: withErrors({ 204: { type: 'null', description: 'The match ended' } }, ['not_matched', 'match_not_found']),
      },
    },
    async (request, reply) => {
      const { user } = callerOf(request);
      const menteeEmail = normalizeEmail(request.params.mentee_email, 'mentee_email');
      // A participant's right is checked in the ending transaction itself: the mentee may have
      // been matched with someone else since the caller last looked.
      const participant = user.role === 'ADMIN' ? {} : { participantId: user.id };
      const ended = await store.matches.end(menteeEmail, { actor: user.email, reason: 'unmatched', ...participant });
      if (!ended) throw new AppError(user.role === 'ADMIN' ? 'match_not_found' : 'not_matched');
      await audit(context, request, 'unmatch', `pair:${ended.pairId}`, { mentor: ended.mentor.email, mentee: ended.mentee.email });
      await unmatched(announcer(request.log), ended);
      return reply.code(204).send();
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.post<{ Params: { mentee_email: string } }>(
      `/api/matches/:mentee_email/${action}`,
      {
        config: { access: 'admin' },
        schema: {
          summary: paused ? 'Pause a match' : 'Resume a paused match',
          description: paused
            ? 'ADMIN only. The pair still connects and reads; `chat_message` is refused with `match_paused` and nothing is stored (also when the send races the pause). Both sides get `match_state` `paused` on their chat sockets and event streams.'
            : 'ADMIN only. Sending works again; both sides get `match_state` `active`.',
          tags: ['matches'],
          security: signedIn,
          params: emailParam('mentee_email', 'The mentee of the match'),
          body: emptyBody,
          response: withErrors({ 200: { ...matchSchema, description: 'The match, as it is now' } }, ['forbidden', 'match_not_found']),
        },
      },
      async (request) => {
        const match = await store.matches.setPaused(normalizeEmail(request.params.mentee_email, 'mentee_email'), paused);
        if (!match) throw new AppError('match_not_found');
        await audit(context, request, action, `pair:${match.pairId}`, { mentor: match.mentor.email, mentee: match.mentee.email });
        await announceMatchState(announcer(request.log), match);
        return publicMatch(match);
      },
    );
  }
}

/** Every socket of an ended match gets `force_disconnect` (`unmatched`), both people's streams `match_ended`. */
function unmatched(announcer: Announcer, ended: Match): Promise<void> {
  // The match is over in the store: every later frame of the pair is refused anyway.
  return announceMatchEnded(announcer, ended, 'unmatched');
}
