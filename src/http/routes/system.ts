// Health (open), readiness (open; 503 with the reasons), OpenAPI, the console's static files
// (the page, its modules and uPlot from node_modules: open, they hold no data), latency
// histograms and Prometheus metrics (read scope).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import type { Metrics } from '../metrics.ts';

export type Readiness = () => { readonly ready: boolean; readonly reasons: readonly string[] };

const DASHBOARD = new URL('../../dashboard/', import.meta.url);
/** The console's modules (src/dashboard/*.js), served as /console/<name>. */
export const CONSOLE_MODULES = ['app.js', 'api.js', 'format.js', 'queue.js', 'detail.js', 'evidence.js', 'health.js', 'charts.js', 'console.css'] as const;
const require = createRequire(import.meta.url);
const VENDOR = { 'uplot.js': require.resolve('uplot/dist/uPlot.iife.min.js'), 'uplot.css': require.resolve('uplot/dist/uPlot.min.css') } as const;
const typeOf = (name: string): string => (name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');

export function systemRoutes(app: FastifyInstance, c: RouteContext, metrics: Metrics, ready: Readiness): void {
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, (_req, reply) => {
    const r = ready();
    return reply.status(r.ready ? 200 : 503).send(r);
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.type('text/html; charset=utf-8').send(readFileSync(new URL('index.html', DASHBOARD))));
  for (const name of CONSOLE_MODULES) {
    app.get(`/console/${name}`, { schema: { hide: true } }, (_req, reply) => reply.type(typeOf(name)).send(readFileSync(new URL(name, DASHBOARD))));
  }
  for (const [name, path] of Object.entries(VENDOR)) {
    app.get(`/vendor/${name}`, { schema: { hide: true } }, (_req, reply) => reply.type(typeOf(name)).header('cache-control', 'max-age=86400').send(readFileSync(path)));
  }

  app.get('/metrics', { preHandler: c.read, schema: { hide: true } }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.scrape()));
  app.get('/api/v1/latency', { preHandler: c.read, schema: { summary: 'Latency percentiles (µs) over the recent window (windowMs, 5 min): per rule alert latency (rules) and evaluation time per event (evaluation, sampled), end to end and per batch, with the windowed HDR histograms (compressed base64)' } },
    () => c.latency?.snapshot() ?? { windowMs: 0, rules: {}, evaluation: {}, endToEnd: null, batch: null });
}
