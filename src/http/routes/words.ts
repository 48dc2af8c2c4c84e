/**
 * The filter's word list, which a coordinator extends or trims at run time (PROTOCOL.md Part 7):
 * Tandem's safeguarding list and MODERATION_WORDS_FILE, with the coordinators' additions and
 * removals on top. A change is audited and applied by every instance within seconds
 * (word-list-sync.ts). The list is kept under every policy; the filter applies it under `moderated`.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { phraseKey } from '../../moderation/word-list.js';
import { audit } from '../audit.js';
import type { RouteContext } from '../context.js';
import { signedIn, withErrors } from '../schemas.js';
import type { WordListState } from '../word-list-sync.js';

const MAX_CHANGES = 100;
const phrase = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  'x-text': 'label',
  description: 'A word or a phrase, matched on whole words without regard to case or accents',
} as const;
const phrases = { type: 'array', maxItems: MAX_CHANGES, items: phrase } as const;
const listSchema = { type: 'array', items: { type: 'string' } } as const;

const stateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['applied', 'tandem', 'file', 'added', 'removed', 'phrases', 'applied_at'],
  properties: {
    applied: { type: 'boolean', description: 'Whether the filter runs (policy `moderated`)' },
    tandem: { ...listSchema, description: "Tandem's safeguarding list" },
    file: { ...listSchema, description: 'The phrases of MODERATION_WORDS_FILE' },
    added: { ...listSchema, description: 'Phrases coordinators added' },
    removed: { ...listSchema, description: 'Phrases of the two lists above that coordinators took off' },
    phrases: { type: 'integer', minimum: 0, description: 'How many phrases the filter holds' },
    applied_at: { type: ['string', 'null'], format: 'date-time', description: 'The newest change this instance applies' },
  },
} as const;

export function wordRoutes(app: FastifyInstance, context: RouteContext): void {
  const view = (state: WordListState) => ({
    applied: context.config.safeguarding.policy === 'moderated',
    tandem: state.tandem,
    file: state.file,
    added: state.added,
    removed: state.removed,
    phrases: state.phrases,
    applied_at: state.appliedAt?.toISOString() ?? null,
  });

  app.get(
    '/api/moderation/words',
    {
      config: { access: 'admin' },
      schema: {
        summary: "The filter's word list",
        description: "ADMIN only. As this instance applies it: Tandem's safeguarding list, the file's phrases, and what coordinators added and took off.",
        tags: ['safeguarding'],
        security: signedIn,
        response: withErrors({ 200: stateSchema }, ['forbidden']),
      },
    },
    async () => view(context.wordList.current),
  );

  app.put<{ Body: { add?: string[]; remove?: string[] } }>(
    '/api/moderation/words',
    {
      config: { access: 'admin' },
      schema: {
        summary: "Change the filter's word list",
        description:
          `ADMIN only. Adds the phrases of \`add\` and takes off those of \`remove\` (at most ${MAX_CHANGES} each; a phrase of Tandem's list or of the file may be taken off). ` +
          'Audited; every instance applies the change within seconds.',
        tags: ['safeguarding'],
        security: signedIn,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { add: phrases, remove: phrases } },
        response: withErrors({ 200: stateSchema }, ['forbidden']),
      },
    },
    async (request) => {
      const keyed = (list: string[] | undefined) =>
        (list ?? []).map((text) => {
          const key = phraseKey(text);
          if (key === '') throw new AppError('invalid_request', `"${text}" has no word to match`);
          return key;
        });
      const add = keyed(request.body.add);
      const remove = keyed(request.body.remove);
      const both = add.filter((key) => remove.includes(key));
      if (both.length > 0) throw new AppError('invalid_request', `"${both[0]}" is both added and removed`);
      const state = await context.wordList.change(add, remove);
      await audit(context, request, 'change_words', 'word_list', { add, remove });
      return view(state);
    },
  );
}
