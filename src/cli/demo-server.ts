// The demo's read-only REST API over the alerts of a replay, held in memory: enough for the
// embedded default to answer `curl` (list with filters and cursor pagination, one alert in
// full, rules with counters, health). Errors are JSON with a stable code; bad input is a 4xx.
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Alert } from '../core/alert.ts';
import type { RuleInfo } from '../core/engine.ts';
import { SEVERITIES } from '../core/rule-types.ts';

export interface DemoServerOptions {
  readonly alerts: readonly Alert[];
  readonly rules: readonly RuleInfo[];
}

interface ListQuery {
  rule?: string;
  key?: string;
  severity?: string;
  limit?: number;
  cursor?: string;
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });

/** Newest first: by detection event time, then id (a stable total order for cursors). */
function newestFirst(a: Alert, b: Alert): number {
  return b.detectedAtEventTime - a.detectedAtEventTime || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const encodeCursor = (a: Alert): string => Buffer.from(`${a.detectedAtEventTime}:${a.id}`).toString('base64url');
function decodeCursor(c: string): { t: number; id: string } | null {
  const m = /^(-?\d+):(al_[0-9a-f]{32})$/.exec(Buffer.from(c, 'base64url').toString('utf8'));
  return m === null ? null : { t: Number(m[1]), id: m[2] as string };
}

export function buildDemoServer(opts: DemoServerOptions): FastifyInstance {
  // Unknown query parameters are an error (a typo must not silently widen a filter).
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: true } } });
  const sorted = [...opts.alerts].sort(newestFirst);
  const byId = new Map<string, Alert>(sorted.map((a) => [a.id, a]));

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation !== undefined) return reply.status(400).send(errorBody('CEP_ERR_API_VALIDATION', err.message));
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.status(status).send(errorBody(status === 500 ? 'CEP_ERR_API_INTERNAL' : `CEP_ERR_API_${err.code ?? 'BAD_REQUEST'}`, err.message));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('CEP_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url}`)));

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', () => ({ ready: true, mode: 'demo', alerts: sorted.length }));

  app.get<{ Querystring: ListQuery }>('/api/v1/alerts', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          rule: { type: 'string', maxLength: 64 }, key: { type: 'string', maxLength: 256 },
          severity: { type: 'string', enum: [...SEVERITIES] },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 200 },
        },
      },
    },
  }, (req, reply) => {
    const q = req.query;
    let start = 0;
    if (q.cursor !== undefined) {
      const c = decodeCursor(q.cursor);
      if (c === null) return reply.status(400).send(errorBody('CEP_ERR_API_CURSOR', 'cursor is not one this API returned; start without it'));
      start = sorted.findIndex((a) => a.detectedAtEventTime < c.t || (a.detectedAtEventTime === c.t && a.id > c.id));
      if (start < 0) start = sorted.length;
    }
    const limit = q.limit ?? 50;
    const page: Alert[] = [];
    let i = start;
    for (; i < sorted.length && page.length < limit; i++) {
      const a = sorted[i] as Alert;
      if ((q.rule === undefined || a.ruleId === q.rule) && (q.key === undefined || a.key === q.key) && (q.severity === undefined || a.severity === q.severity)) page.push(a);
    }
    const more = page.length === limit && i < sorted.length;
    return {
      items: page.map((a) => ({
        id: a.id, ruleId: a.ruleId, ruleVersion: a.ruleVersion, severity: a.severity, keySpace: a.keySpace, key: a.key,
        firstEventTime: a.firstEventTime, lastEventTime: a.lastEventTime, detectedAtEventTime: a.detectedAtEventTime, message: a.message, status: 'open',
      })),
      nextCursor: more ? encodeCursor(page[page.length - 1] as Alert) : null,
    };
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', {
    schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^al_[0-9a-f]{32}$' } }, required: ['id'] } },
  }, (req, reply) => {
    const a = byId.get(req.params.id);
    if (a === undefined) return reply.status(404).send(errorBody('CEP_ERR_API_ALERT_NOT_FOUND', `no alert ${req.params.id}`));
    return { ...a, status: 'open' };
  });

  app.get('/api/v1/rules', () => ({
    items: opts.rules.map((r) => ({ id: r.id, version: r.version, kind: r.kind, enabled: r.enabled, ...r.stats, stateKeys: r.stateKeys, partialMatches: r.held })),
  }));

  return app;
}
