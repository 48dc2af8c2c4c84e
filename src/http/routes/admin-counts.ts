/**
 * The admin page's live counts: held messages waiting, open reports, pairs at risk and
 * failed webhook deliveries, in one read. The page reads them at sign-in, after every
 * `admin_changed` signal of its event stream and after every reconnect of it.
 */
import type { FastifyInstance } from 'fastify';
import { healthTable } from '../../programme/health-table.js';
import type { RouteContext } from '../context.js';
import { signedIn, withErrors } from '../schemas.js';

/** Counts stop here: past it the page says "1000+", and nobody's queue is read whole. */
export const COUNT_CAP = 1000;

const count = { type: 'integer', minimum: 0, maximum: COUNT_CAP } as const;

export function adminCountRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store, config, clock } = context;
  app.get(
    '/api/admin/counts',
    {
      config: { access: 'admin' },
      schema: {
        summary: "What waits for a coordinator: the admin page's live counts",
        description: `ADMIN or a server API key. Each count stops at ${COUNT_CAP}. Pairs at risk as \`GET /api/programme/pairs?at_risk=true\` decides them now.`,
        tags: ['programme'],
        security: signedIn,
        response: withErrors(
          {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['held', 'reports', 'at_risk', 'failed_deliveries', 'webhooks'],
              properties: {
                held: count,
                reports: count,
                at_risk: count,
                failed_deliveries: count,
                webhooks: { type: 'boolean', description: 'Whether a webhook endpoint is set (`WEBHOOK_URL`): without one there are no deliveries to show' },
              },
            },
          },
          ['forbidden'],
        ),
      },
    },
    async () => {
      const [held, reports, atRisk, failed] = await Promise.all([
        store.moderation.pending(COUNT_CAP),
        store.reports.list({ all: false, limit: COUNT_CAP }),
        healthTable(store, { sort: 'risk', atRiskOnly: true, search: '', offset: 0, limit: COUNT_CAP, rules: config.programme, now: clock() }),
        store.outbox.list('failed', COUNT_CAP),
      ]);
      return {
        held: held.items.length,
        reports: reports.items.length,
        at_risk: atRisk.rows.length,
        failed_deliveries: failed.length,
        webhooks: config.webhooks !== null,
      };
    },
  );
}
