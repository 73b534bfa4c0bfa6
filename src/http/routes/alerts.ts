// Alerts from the store: the list with filters and an opaque cursor, one alert in full, and
// status changes (admin) whose history is kept.
import type { FastifyInstance } from 'fastify';
import { CepError } from '../../core/errors.ts';
import { SEVERITIES } from '../../core/rule-types.ts';
import type { Severity } from '../../core/rule-types.ts';
import { ALERT_STATUSES } from '../../store/alert-store.ts';
import type { AlertStatus } from '../../store/alert-store.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';

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

export const ALERT_ID_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^al_[0-9a-f]{32}$' } }, required: ['id'] } as const;
/** Epoch milliseconds within what a Date holds. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;
const EPOCH_MS = { type: 'integer', minimum: -MAX_EPOCH_MS, maximum: MAX_EPOCH_MS } as const;

/** ajv coerces '1e400' to Infinity and lets it through the bounds above: refuse it here. */
function finite(name: string, v: number | undefined): void {
  if (v !== undefined && !(Math.abs(v) <= MAX_EPOCH_MS)) throw new CepError('CEP_ERR_API_VALIDATION', `querystring/${name} must be <= ${MAX_EPOCH_MS}`);
}

export const ALERT_FILTERS = {
  rule: { type: 'string', maxLength: 64 }, key: { type: 'string', maxLength: 256 },
  severity: { type: 'string', enum: [...SEVERITIES] }, status: { type: 'string', enum: [...ALERT_STATUSES] },
} as const;

export function alertRoutes(app: FastifyInstance, c: RouteContext): void {
  const { store } = c;
  app.get<{ Querystring: ListQuery }>('/api/v1/alerts', {
    preHandler: c.read,
    schema: {
      summary: 'List alerts, newest first (detection event time), with filters and an opaque cursor',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { ...ALERT_FILTERS, from: EPOCH_MS, to: EPOCH_MS, time: { type: 'string', enum: ['event', 'stored'], default: 'event' }, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 200 }, token: { type: 'string' } },
      },
    },
  }, (req) => {
    const q = req.query;
    finite('from', q.from);
    finite('to', q.to);
    return store.list({
      ...(q.rule === undefined ? {} : { ruleId: q.rule }), ...(q.key === undefined ? {} : { key: q.key }),
      ...(q.severity === undefined ? {} : { severity: q.severity }), ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }), time: q.time ?? 'event',
    }, q.limit ?? 50, q.cursor);
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', {
    preHandler: c.read,
    schema: { summary: 'One alert in full: matched events by step (with Kafka coordinates), context snapshot, status history', params: ALERT_ID_PARAMS },
  }, (req, reply) => {
    const a = store.get(req.params.id);
    if (a === undefined) return reply.status(404).send(errorBody('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${req.params.id}`));
    return a;
  });

  app.post<{ Params: { id: string }; Body: { status: AlertStatus; actor: string; note?: string } }>('/api/v1/alerts/:id/status', {
    preHandler: c.admin,
    schema: {
      summary: 'Change an alert status (open, acknowledged, resolved) with who and why; every change is kept',
      params: ALERT_ID_PARAMS,
      body: {
        type: 'object', additionalProperties: false, required: ['status', 'actor'],
        properties: { status: { type: 'string', enum: [...ALERT_STATUSES] }, actor: { type: 'string', minLength: 1, maxLength: 128 }, note: { type: 'string', maxLength: 4000 } },
      },
    },
  }, (req) => store.setStatus(req.params.id, req.body.status, req.body.actor, req.body.note ?? '', c.now()));
}
