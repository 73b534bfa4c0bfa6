// What the analyst's console reads besides alerts and rules (read scope): who the token is and
// what it may do (the page shows only the controls it may use), who alerts can be assigned to,
// the alert rate per rule over event time, dispositions and the precision they give, and the
// engine's health over the last 30 minutes (health-history.ts).
import type { FastifyInstance } from 'fastify';
import { requestIdentity } from '../auth.ts';
import type { RouteContext } from '../context.ts';
import { ALERT_FILTERS, filterOf } from './alerts.ts';
import type { FilterQuery } from './alerts.ts';

/** What a scope may do, as the console names its controls. */
export const ACTIONS = { read: [], admin: ['status', 'bulk-status', 'assign', 'note', 'rules'] } as const;

export function consoleRoutes(app: FastifyInstance, c: RouteContext): void {
  app.get('/api/v1/me', {
    preHandler: c.read,
    schema: { summary: "The token's identity: its name (what changes are recorded under), scope, the actions it may take, and the names alerts can be assigned to" },
  }, (req) => {
    const me = requestIdentity(req);
    const scope = me?.scope ?? 'read';
    return { name: me?.name ?? null, scope, actions: ACTIONS[scope], people: c.people };
  });

  app.get<{ Querystring: FilterQuery & { buckets?: number } }>('/api/v1/stats/alerts', {
    preHandler: c.read,
    schema: {
      summary: 'Alerts per rule per bucket of detection event time (the alert rate), over the filtered alerts',
      querystring: { type: 'object', additionalProperties: false, properties: { ...ALERT_FILTERS, buckets: { type: 'integer', minimum: 1, maximum: 500, default: 60 }, token: { type: 'string' } } },
    },
  }, (req) => c.store.rates(filterOf(req.query), req.query.buckets ?? 60));

  app.get<{ Querystring: FilterQuery }>('/api/v1/stats/dispositions', {
    preHandler: c.read,
    schema: {
      summary: 'Resolved alerts per rule by disposition, and precision: true-positive / (true-positive + false-positive)',
      querystring: { type: 'object', additionalProperties: false, properties: { ...ALERT_FILTERS, token: { type: 'string' } } },
    },
  }, (req) => ({ items: c.store.dispositions(filterOf(req.query)) }));

  app.get('/api/v1/health/history', {
    preHandler: c.read,
    schema: { summary: "The engine's health every 5 s over the last 30 min: events, lag, watermark delay, buffered events, keys, backpressure, commits, and latency bucket counts per interval (end to end, per rule evaluation)" },
  }, () => c.history.view());
}
