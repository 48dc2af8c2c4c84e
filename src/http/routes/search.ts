/**
 * Searching a conversation (PROTOCOL.md Part 8): the pair's messages matching the words of
 * `q`, newest first, as history shows them with the matched words marked. Only the words are
 * taken from `q` (protocol/search-query.ts): no query syntax reaches the database.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { MAX_QUERY_LENGTH, highlightHtml, searchTerms } from '../../protocol/search-query.js';
import { pairOf } from '../access.js';
import type { RouteContext } from '../context.js';
import { emailParam, historyMessageSchema, messageIdSchema, pairHistoryMessage, signedIn, withErrors } from '../schemas.js';

interface SearchQuery {
  q: string;
  before?: string;
  limit?: string;
}

const searchQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['q'],
  properties: {
    q: {
      type: 'string',
      minLength: 1,
      maxLength: MAX_QUERY_LENGTH,
      'x-text': 'search',
      description: 'Words to find (up to 8 are used); every one must match. Stemmed, case- and accent-insensitive; quotes and operators are read as spaces',
    },
    before: { ...messageIdSchema, description: 'Only messages with a smaller id: the next page of results' },
    limit: {
      type: 'string',
      pattern: '^[1-9][0-9]{0,5}$',
      description: 'Results per page; `HISTORY_LIMIT_DEFAULT` when absent, capped at `HISTORY_LIMIT_MAX`',
    },
  },
} as const;

export function searchRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config } = context;

  app.get<{ Params: { partner_email: string }; Querystring: SearchQuery }>(
    '/api/chat/:partner_email/search',
    {
      config: { access: 'archive' },
      schema: {
        summary: "Search the pair's messages",
        description:
          'The pair only, also for `ARCHIVE_DAYS` after an unmatch. Messages whose text has every word of `q`, newest first, as history shows them, with `highlight`: the content as ' +
          'HTML-escaped text, each matched word in `<mark>`. Never a held (not yet approved), deleted or erased message. `has_more`: older results remain (page with `before`).',
        tags: ['chat'],
        security: signedIn,
        params: emailParam('partner_email', "The email of the signed-in user's partner"),
        querystring: searchQuery,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['messages', 'has_more'],
              properties: {
                messages: {
                  type: 'array',
                  items: {
                    ...historyMessageSchema,
                    required: [...historyMessageSchema.required, 'highlight'],
                    properties: {
                      ...historyMessageSchema.properties,
                      highlight: { type: 'string', description: 'The content, HTML-escaped, with each matched word in `<mark>…</mark>`' },
                    },
                  },
                },
                has_more: { type: 'boolean' },
              },
            },
          },
          ['not_matched', 'search_query'],
        ),
      },
    },
    async (request) => {
      const { user, partner, pair } = pairOf(request);
      const terms = searchTerms(request.query.q);
      if (terms.length === 0) throw new AppError('search_query');
      const limit = Math.min(request.query.limit === undefined ? config.history.defaultLimit : Number(request.query.limit), config.history.maxLimit);
      const before = request.query.before === undefined ? undefined : Number(request.query.before);
      const hits = await store.search.find(pair.id, terms, limit + 1, before);
      return {
        messages: hits.slice(0, limit).map(({ message, marked }) => ({
          ...pairHistoryMessage(message, user, partner),
          highlight: highlightHtml(marked),
        })),
        has_more: hits.length > limit,
      };
    },
  );
}
