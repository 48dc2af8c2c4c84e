/** `GET /api/openapi.json`: the OpenAPI document generated from the routes' schemas. */
import type { FastifyInstance } from 'fastify';

export function docsRoutes(app: FastifyInstance, document: () => Record<string, unknown>): void {
  app.get('/api/openapi.json', {
    schema: {
      summary: 'This API as an OpenAPI 3.1 document',
      tags: ['operations'],
      response: { 200: { type: 'object', additionalProperties: true, description: 'The OpenAPI document' } },
    },
  }, async () => document());
}
