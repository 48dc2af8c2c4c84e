/**
 * Every string a route takes (body, query string, path) is text of a kind (protocol/text.ts):
 * its schema says which with the keyword `x-text`, and Ajv applies the kind's rules with the
 * rest of the schema, so a refusal is the usual 400 `invalid_request` naming the field. A
 * route whose request schema has a string of no kind — and no closed set of values (`enum`,
 * `const`, an anchored `pattern`, a `format`) — fails at start: no route can forget.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { TEXT_KINDS, textProblem, type TextKind } from '../protocol/text.js';

/** The schema keyword that names a string's kind of text. */
export const TEXT_KEYWORD = 'x-text';

/** Ajv as this plugin uses it (ajv is Fastify's dependency, not Tandem's: its types are not imported). */
interface AjvLike {
  addKeyword(definition: never): unknown;
}

/** The Ajv plugin that applies `x-text` (Fastify's `ajv.plugins`). */
export function textKeyword<T extends AjvLike>(ajv: T): T {
  const definition = {
    keyword: TEXT_KEYWORD,
    type: 'string',
    schemaType: 'string',
    metaSchema: { enum: [...TEXT_KINDS] },
    errors: true,
    validate: function check(kind: TextKind, data: string, parent: { minLength?: number }) {
      // Whether a field may be empty (routes trim what they store) is its schema's `minLength`.
      const problem = data.trim() === '' && !(Number(parent.minLength) > 0) ? null : textProblem(kind, data);
      if (problem === null) return true;
      (check as unknown as { errors: object[] }).errors = [{ keyword: TEXT_KEYWORD, message: problem, params: { kind } }];
      return false;
    },
  };
  ajv.addKeyword(definition as never);
  return ajv;
}

type Json = Record<string, unknown>;

/** Refuses, at start, a route whose request schema has a string of no kind of text (see above). */
export function requireTextKinds(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = (route.schema ?? {}) as Json;
    for (const part of ['body', 'querystring', 'params', 'headers'] as const) {
      const loose = looseStrings(schema[part], part);
      if (loose.length > 0) throw new Error(`${String(route.method)} ${route.url}: ${loose.join(', ')} declare no ${TEXT_KEYWORD}`);
    }
  });
}

/** The paths of the strings in `schema` that are neither of a kind nor of a closed set. */
function looseStrings(schema: unknown, path: string): string[] {
  if (typeof schema !== 'object' || schema === null) return [];
  const node = schema as Json;
  const found: string[] = [];
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('string') && !isClosed(node)) found.push(path);
  for (const [name, child] of Object.entries((node.properties as Json | undefined) ?? {})) found.push(...looseStrings(child, `${path}.${name}`));
  for (const key of ['items', 'additionalProperties'] as const) found.push(...looseStrings(node[key], `${path}[]`));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    for (const child of (node[key] as unknown[] | undefined) ?? []) found.push(...looseStrings(child, path));
  }
  return found;
}

function isClosed(node: Json): boolean {
  if (node[TEXT_KEYWORD] !== undefined || node.enum !== undefined || node.const !== undefined || node.format !== undefined) return true;
  return typeof node.pattern === 'string' && node.pattern.startsWith('^') && node.pattern.endsWith('$');
}
