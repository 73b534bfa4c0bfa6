// Health (open), readiness (open; 503 with the reasons), OpenAPI, the dashboard's static
// files, latency histograms and Prometheus metrics (read scope).
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import type { Metrics } from '../metrics.ts';

export type Readiness = () => { readonly ready: boolean; readonly reasons: readonly string[] };

const DASHBOARD = new URL('../../dashboard/', import.meta.url);

export function systemRoutes(app: FastifyInstance, c: RouteContext, metrics: Metrics, ready: Readiness): void {
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, (_req, reply) => {
    const r = ready();
    return reply.status(r.ready ? 200 : 503).send(r);
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.type('text/html; charset=utf-8').send(readFileSync(new URL('index.html', DASHBOARD))));
  app.get('/dashboard.js', { schema: { hide: true } }, (_req, reply) => reply.type('text/javascript; charset=utf-8').send(readFileSync(new URL('dashboard.js', DASHBOARD))));

  app.get('/metrics', { preHandler: c.read, schema: { hide: true } }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.scrape()));
  app.get('/api/v1/latency', { preHandler: c.read, schema: { summary: 'Latency percentiles (µs) per rule, end to end and per batch, with full HDR histograms (compressed base64)' } },
    () => c.latency?.snapshot() ?? { rules: {}, endToEnd: null, batch: null });
}
