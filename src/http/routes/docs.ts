/** `GET /api/openapi.json`: the OpenAPI document generated from the routes' schemas (see openapi.ts). */
import type { FastifyInstance } from 'fastify';

export function docsRoutes(app: FastifyInstance): void {
  app.get(
    '/api/openapi.json',
    {
      config: { access: 'none' },
      schema: {
        summary: 'This API as an OpenAPI 3.1 document',
        tags: ['operations'],
        response: { 200: { type: 'object', additionalProperties: true, description: 'The OpenAPI document' } },
      },
    },
    async () => app.swagger(),
  );
}
