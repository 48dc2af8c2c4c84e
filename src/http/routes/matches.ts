/** Matching: an admin pairs a mentee with a mentor; the admin or either participant ends it. */
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { roomName } from '../../chat/room.js';
import { AppError } from '../../errors.js';
import { emailProblem } from '../../protocol/text.js';
import { normalizeEmail, type Match } from '../../store/index.js';
import { callerOf } from '../access.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { emailParam, emailSchema, matchSchema, publicMatch, signedIn, withErrors } from '../schemas.js';

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
    replace: { type: 'boolean', description: 'End the mentee\'s match with another mentor first (its sockets get `force_disconnect` `unmatched`)' },
  },
} as const;

export function matchRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;

  app.post<{ Body: { mentor_email: string; mentee_email: string } }>('/api/matches', {
    config: { access: 'admin' },
    schema: {
      summary: 'Match a mentee with a mentor',
      description: 'ADMIN only. A mentee has at most one mentor; a mentor at most `MENTOR_CAPACITY` mentees. Rematching a former pair keeps its history.',
      tags: ['matches'],
      security: signedIn,
      body: matchBody,
      response: withErrors({ 201: { ...matchSchema, description: 'The new match' } }, [
        'forbidden', 'wrong_role', 'user_not_found', 'already_matched', 'mentor_at_capacity',
      ]),
    },
  }, async (request, reply) => {
    const match = await store.createMatch(normalizeEmail(request.body.mentor_email), normalizeEmail(request.body.mentee_email), {
      mentorCapacity: config.mentorCapacity,
    });
    await audit(context, request, 'match', `pair:${match.pairId}`, { mentor: match.mentor.email, mentee: match.mentee.email });
    return reply.code(201).send(publicMatch(match));
  });

  app.put<{ Params: { mentee_email: string }; Body: { mentor_email: string; replace?: boolean } }>('/api/matches/:mentee_email', {
    config: { access: 'admin' },
    schema: {
      summary: 'Set a mentee\'s mentor (the platform\'s sync)',
      description:
        'ADMIN or a server API key. Idempotent: 200 when the mentee already has this mentor, 201 when the match was made. ' +
        'A mentee with another mentor is 409 `already_matched`, unless `replace` is true: that match ends first, in the same ' +
        'transaction, and its sockets on every instance get `force_disconnect` (`unmatched`).',
      tags: ['matches'],
      security: signedIn,
      params: emailParam('mentee_email', 'The mentee'),
      body: putMatchBody,
      response: withErrors({
        200: { ...matchSchema, description: 'Already so: nothing changed' },
        201: { ...matchSchema, description: 'The match was made' },
      }, ['forbidden', 'wrong_role', 'user_not_found', 'already_matched', 'mentor_at_capacity']),
    },
  }, async (request, reply) => {
    const problem = emailProblem(request.params.mentee_email);
    if (problem !== null) throw new AppError('invalid_request', `mentee_email ${problem}`);
    const result = await store.putMatch(normalizeEmail(request.params.mentee_email), normalizeEmail(request.body.mentor_email), {
      replace: request.body.replace === true,
      mentorCapacity: config.mentorCapacity,
    });
    if (result.ended) {
      await audit(context, request, 'unmatch', `pair:${result.ended.pairId}`, { mentor: result.ended.mentor.email, mentee: result.ended.mentee.email, replaced: true });
      await unmatched(context, result.ended, request.log);
    }
    if (result.created) await audit(context, request, 'match', `pair:${result.match.pairId}`, { mentor: result.match.mentor.email, mentee: result.match.mentee.email });
    return reply.code(result.created ? 201 : 200).send(publicMatch(result.match));
  });

  app.get('/api/matches', {
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
  }, async (request) => {
    const { user } = callerOf(request);
    const matches = await store.listMatches(user.role === 'ADMIN' ? undefined : user.id);
    return { matches: matches.map(publicMatch) };
  });

  app.delete<{ Params: { mentee_email: string } }>('/api/matches/:mentee_email', {
    config: { access: 'user' },
    schema: {
      summary: 'End a match',
      description: 'An ADMIN, or either participant. Every socket of the pair, on every instance, gets `force_disconnect` (`unmatched`).',
      tags: ['matches'],
      security: signedIn,
      params: emailParam('mentee_email', 'The mentee of the match'),
      response: withErrors({ 204: { type: 'null', description: 'The match ended' } }, ['not_matched', 'match_not_found']),
    },
  }, async (request, reply) => {
    const { user } = callerOf(request);
    const problem = emailProblem(request.params.mentee_email);
    if (problem !== null) throw new AppError('invalid_request', `mentee_email ${problem}`);
    const menteeEmail = normalizeEmail(request.params.mentee_email);
    if (user.role !== 'ADMIN') {
      const own = await store.listMatches(user.id);
      if (!own.some((match) => match.mentee.email === menteeEmail)) throw new AppError('not_matched');
    }
    const ended = await store.endMatch(menteeEmail);
    if (!ended) throw new AppError('match_not_found');
    await audit(context, request, 'unmatch', `pair:${ended.pairId}`, { mentor: ended.mentor.email, mentee: ended.mentee.email });
    await unmatched(context, ended, request.log);
    return reply.code(204).send();
  });
}

/** Tells every socket of an ended match, on every instance, with `force_disconnect` (`unmatched`). */
async function unmatched(context: RouteContext, ended: Match, log: FastifyBaseLogger): Promise<void> {
  const room = roomName(ended.mentor.email, ended.mentee.email);
  await context.hub.publish(room, { kind: 'force_disconnect', reason: 'unmatched' }).catch((error: unknown) => {
    // The match is over in the store: every later frame of the pair is refused anyway.
    log.error({ err: error }, 'force_disconnect publish failed');
  });
}
