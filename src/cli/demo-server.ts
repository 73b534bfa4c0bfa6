// The demo's REST API over the alert store (src/store): list newest first with filters and
// cursor pagination, one alert in full, status changes with their history, rules with
// counters, health. Errors are JSON with a stable code; bad input is a 4xx, never a 5xx.
import Fastify from 'fastify';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { RuleInfo } from '../core/engine.ts';
import { CepError } from '../core/errors.ts';
import { SEVERITIES } from '../core/rule-types.ts';
import type { Severity } from '../core/rule-types.ts';
import { ALERT_STATUSES, StoreErrorCodes } from '../store/alert-store.ts';
import type { AlertStatus, AlertStore } from '../store/alert-store.ts';

export interface DemoServerOptions {
  readonly store: AlertStore;
  readonly rules: readonly RuleInfo[];
  /** Wall clock for status changes (tests pass a fixed one). */
  readonly now?: () => number;
}

interface ListQuery {
  rule?: string;
  key?: string;
  severity?: Severity;
  status?: AlertStatus;
  from?: number;
  to?: number;
  limit?: number;
  cursor?: string;
}

const errorBody = (code: string, message: string) => ({ error: { code, message } });
const ID = { type: 'object', properties: { id: { type: 'string', pattern: '^al_[0-9a-f]{32}$' } }, required: ['id'] } as const;

export function buildDemoServer(opts: DemoServerOptions): FastifyInstance {
  // Unknown query parameters are an error (a typo must not silently widen a filter).
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: true } } });
  const store = opts.store;
  const now = opts.now ?? Date.now;

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

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', () => ({ ready: true, mode: 'demo', alerts: store.count() }));

  app.get<{ Querystring: ListQuery }>('/api/v1/alerts', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          rule: { type: 'string', maxLength: 64 }, key: { type: 'string', maxLength: 256 },
          severity: { type: 'string', enum: [...SEVERITIES] }, status: { type: 'string', enum: [...ALERT_STATUSES] },
          from: { type: 'integer' }, to: { type: 'integer' },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 200 },
        },
      },
    },
  }, (req) => {
    const q = req.query;
    return store.list({
      ...(q.rule === undefined ? {} : { ruleId: q.rule }), ...(q.key === undefined ? {} : { key: q.key }),
      ...(q.severity === undefined ? {} : { severity: q.severity }), ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }),
    }, q.limit ?? 50, q.cursor);
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', { schema: { params: ID } }, (req, reply) => {
    const a = store.get(req.params.id);
    if (a === undefined) return reply.status(404).send(errorBody(StoreErrorCodes.NOT_FOUND, `no alert ${req.params.id}`));
    return a;
  });

  app.post<{ Params: { id: string }; Body: { status: AlertStatus; actor: string; note?: string } }>('/api/v1/alerts/:id/status', {
    schema: {
      params: ID,
      body: {
        type: 'object', additionalProperties: false, required: ['status', 'actor'],
        properties: { status: { type: 'string', enum: [...ALERT_STATUSES] }, actor: { type: 'string', minLength: 1, maxLength: 128 }, note: { type: 'string', maxLength: 4000 } },
      },
    },
  }, (req) => store.setStatus(req.params.id, req.body.status, req.body.actor, req.body.note ?? '', now()));

  app.get('/api/v1/rules', () => ({
    items: opts.rules.map((r) => ({ id: r.id, version: r.version, kind: r.kind, enabled: r.enabled, ...r.stats, stateKeys: r.stateKeys, partialMatches: r.held })),
  }));

  return app;
}
