// The REST API (`/api/v1`, OpenAPI at /api/v1/openapi.json): alerts from the store (list with
// filters and cursors, one in full, status changes with history, a live SSE stream), rules
// (counters, latency, enable/disable at runtime), latency histograms, health, Prometheus
// metrics, and the dashboard page. Errors are JSON `{ error: { code, message } }` with a
// stable code; bad input is a 4xx, never a 5xx.
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RuleInfo } from '../core/engine/index.ts';
import { CepError } from '../core/errors.ts';
import { SEVERITIES } from '../core/rule-types.ts';
import type { Severity } from '../core/rule-types.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import { ALERT_STATUSES, StoreErrorCodes } from '../store/alert-store.ts';
import type { AlertStatus, AlertStore, AlertSummary } from '../store/alert-store.ts';
import { AlertBus } from './alert-bus.ts';
import { authorize } from './auth.ts';
import type { Scope, Tokens } from './auth.ts';
import { metricsRegistry } from './metrics.ts';

/** What the API needs of whatever runs the rules (the demo's engine, the service's shards). */
export interface RuleControl {
  list(): RuleInfo[];
  setEnabled(id: string, enabled: boolean): boolean;
}

export interface ApiOptions {
  readonly store: AlertStore;
  readonly rules: RuleControl;
  readonly tokens: Tokens;
  readonly bus?: AlertBus;
  readonly latency?: LatencyRecorder;
  readonly ready?: () => { readonly ready: boolean; readonly reasons: readonly string[] };
  /** Extra engine counters for /metrics (events, late, dead letters, lag...). */
  readonly counters?: () => Readonly<Record<string, number>>;
  readonly now?: () => number;
  /** SSE heartbeat interval (ms). */
  readonly heartbeatMs?: number;
}

interface ListQuery {
  rule?: string;
  key?: string;
  severity?: Severity;
  status?: AlertStatus;
  from?: number;
  to?: number;
  time?: 'event' | 'stored';
  limit?: number;
  cursor?: string;
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });
const ID_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^al_[0-9a-f]{32}$' } }, required: ['id'] } as const;
const RULE_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } }, required: ['id'] } as const;
const FILTERS = {
  rule: { type: 'string', maxLength: 64 }, key: { type: 'string', maxLength: 256 },
  severity: { type: 'string', enum: [...SEVERITIES] }, status: { type: 'string', enum: [...ALERT_STATUSES] },
} as const;
const DASHBOARD = new URL('../dashboard/', import.meta.url);

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  // Unknown query parameters are an error: a typo must not silently widen a filter.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: true } } });
  const { store, rules, tokens } = opts;
  const bus = opts.bus ?? new AlertBus();
  const now = opts.now ?? Date.now;
  const registry = metricsRegistry(rules, store, opts.latency, opts.counters ?? (() => ({})));

  await app.register(swagger, {
    openapi: {
      info: { title: 'Cepheus API', version: '1', description: 'Alerts, rules, latency and health of a Cepheus engine. Bearer tokens: read or admin scope.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });

  const guard = (scope: Scope) => async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const header = req.headers.authorization ?? (typeof (req.query as { token?: unknown }).token === 'string' ? `Bearer ${(req.query as { token: string }).token}` : undefined);
    const r = authorize(tokens, header, scope);
    if (!r.ok) await reply.status(r.status).send(errorBody(r.code, r.message));
  };

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof CepError) {
      const status = err.code === StoreErrorCodes.NOT_FOUND ? 404 : err.code === StoreErrorCodes.SAME_STATUS ? 409 : 400;
      return reply.status(status).send(errorBody(err.code, err.message.replace(`${err.code}: `, '')));
    }
    if (err.validation !== undefined) return reply.status(400).send(errorBody('CEP_ERR_API_VALIDATION', err.message));
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.status(status).send(errorBody(status === 500 ? 'CEP_ERR_API_INTERNAL' : `CEP_ERR_API_${err.code ?? 'BAD_REQUEST'}`, err.message));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('CEP_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url}`)));

  // ---- open ------------------------------------------------------------------------
  app.get('/healthz', { schema: { hide: true } }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, (_req, reply) => {
    const r = opts.ready?.() ?? { ready: true, reasons: [] };
    return reply.status(r.ready ? 200 : 503).send(r);
  });
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.type('text/html; charset=utf-8').send(readFileSync(new URL('index.html', DASHBOARD))));
  app.get('/dashboard.js', { schema: { hide: true } }, (_req, reply) => reply.type('text/javascript; charset=utf-8').send(readFileSync(new URL('dashboard.js', DASHBOARD))));

  // ---- read ------------------------------------------------------------------------
  app.get('/metrics', { preHandler: guard('read'), schema: { hide: true } }, async (_req, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()));

  app.get<{ Querystring: ListQuery }>('/api/v1/alerts', {
    preHandler: guard('read'),
    schema: {
      summary: 'List alerts, newest first (detection event time), with filters and an opaque cursor',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { ...FILTERS, from: { type: 'integer' }, to: { type: 'integer' }, time: { type: 'string', enum: ['event', 'stored'], default: 'event' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 200 }, token: { type: 'string' } },
      },
    },
  }, (req) => {
    const q = req.query;
    return store.list({
      ...(q.rule === undefined ? {} : { ruleId: q.rule }), ...(q.key === undefined ? {} : { key: q.key }),
      ...(q.severity === undefined ? {} : { severity: q.severity }), ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }), time: q.time ?? 'event',
    }, q.limit ?? 50, q.cursor);
  });

  app.get<{ Querystring: { rule?: string; key?: string; severity?: Severity } }>('/api/v1/alerts/stream', {
    preHandler: guard('read'),
    schema: {
      summary: 'Server-Sent Events: alerts stored after the client connected (`event: alert`), filterable. EventSource cannot send headers: pass ?token=',
      querystring: { type: 'object', additionalProperties: false, properties: { rule: FILTERS.rule, key: FILTERS.key, severity: FILTERS.severity, token: { type: 'string' } } },
    },
  }, (req, reply) => {
    const q = req.query;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const unsubscribe = bus.subscribe((a: AlertSummary) => {
      if ((q.rule !== undefined && a.ruleId !== q.rule) || (q.key !== undefined && a.key !== q.key) || (q.severity !== undefined && a.severity !== q.severity)) return;
      res.write(`id: ${a.id}\nevent: alert\ndata: ${JSON.stringify(a)}\n\n`);
    });
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), opts.heartbeatMs ?? 15_000);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', {
    preHandler: guard('read'),
    schema: { summary: 'One alert in full: matched events by step (with Kafka coordinates), context snapshot, status history', params: ID_PARAMS },
  }, (req, reply) => {
    const a = store.get(req.params.id);
    if (a === undefined) return reply.status(404).send(errorBody(StoreErrorCodes.NOT_FOUND, `no alert ${req.params.id}`));
    return a;
  });

  app.get('/api/v1/rules', { preHandler: guard('read'), schema: { summary: 'Rules with counters and engine latency' } }, () => ({
    items: rules.list().map((r) => ({
      id: r.id, version: r.version, kind: r.kind, enabled: r.enabled, ...r.stats, stateKeys: r.stateKeys, partialMatches: r.held,
      latencyUs: opts.latency?.rule(r.id) ?? null,
    })),
  }));

  app.get('/api/v1/latency', { preHandler: guard('read'), schema: { summary: 'Latency percentiles (µs) per rule, end to end and per batch, with full HDR histograms (compressed base64)' } },
    () => opts.latency?.snapshot() ?? { rules: {}, endToEnd: null, batch: null });

  // ---- admin -------------------------------------------------------------------------
  app.post<{ Params: { id: string }; Body: { status: AlertStatus; actor: string; note?: string } }>('/api/v1/alerts/:id/status', {
    preHandler: guard('admin'),
    schema: {
      summary: 'Change an alert status (open, acknowledged, resolved) with who and why; every change is kept',
      params: ID_PARAMS,
      body: {
        type: 'object', additionalProperties: false, required: ['status', 'actor'],
        properties: { status: { type: 'string', enum: [...ALERT_STATUSES] }, actor: { type: 'string', minLength: 1, maxLength: 128 }, note: { type: 'string', maxLength: 4000 } },
      },
    },
  }, (req) => store.setStatus(req.params.id, req.body.status, req.body.actor, req.body.note ?? '', now()));

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/rules/:id/${action}`, {
      preHandler: guard('admin'), schema: { summary: `${action === 'enable' ? 'Enable' : 'Disable'} a rule at runtime, no restart`, params: RULE_PARAMS },
    }, (req, reply) => {
      if (!rules.setEnabled(req.params.id, action === 'enable')) return reply.status(404).send(errorBody('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${req.params.id}`));
      return { id: req.params.id, enabled: action === 'enable' };
    });
  }

  return app;
}
