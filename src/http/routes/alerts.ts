// Alerts from the store: the triage queue (filters, any sort, an opaque cursor, the count of
// matching alerts) and one alert in full with its case activity. Changes are in
// alert-actions.ts. List parameters take several values comma-separated
// (`severity=high,critical`), so a view of the queue is a URL.
import type { FastifyInstance } from 'fastify';
import { CepError } from '../../core/errors.ts';
import { SEVERITIES } from '../../core/rule-types.ts';
import type { Severity } from '../../core/rule-types.ts';
import { ALERT_STATUSES, SORT_NAMES } from '../../store/alert-store.ts';
import type { AlertFilter, AlertSort, AlertStatus, SortField } from '../../store/alert-store.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';

export interface FilterQuery {
  rule?: string;
  key?: string;
  severity?: string;
  status?: string;
  assignee?: string;
  q?: string;
  from?: number;
  to?: number;
  time?: 'event' | 'stored';
}
interface ListQuery extends FilterQuery {
  sort?: SortField;
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
}

export const ALERT_ID_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^al_[0-9a-f]{32}$' } }, required: ['id'] } as const;
/** Epoch milliseconds within what a Date holds. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;
const EPOCH_MS = { type: 'integer', minimum: -MAX_EPOCH_MS, maximum: MAX_EPOCH_MS } as const;
const listOf = (values: readonly string[]) => ({ type: 'string', pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`, maxLength: 400 }) as const;
const RULE_ID = '[a-z0-9][a-z0-9-]{0,62}';

/** ajv coerces '1e400' to Infinity and lets it through the bounds above: refuse it here. */
function finite(name: string, v: number | undefined): void {
  if (v !== undefined && !(Math.abs(v) <= MAX_EPOCH_MS)) throw new CepError('CEP_ERR_API_VALIDATION', `querystring/${name} must be <= ${MAX_EPOCH_MS}`);
}

/** Query-string filters shared by the list, the stream and the stats routes. */
export const ALERT_FILTERS = {
  rule: { type: 'string', pattern: `^${RULE_ID}(,${RULE_ID})*$`, maxLength: 2000 },
  key: { type: 'string', maxLength: 256 },
  severity: listOf(SEVERITIES), status: listOf(ALERT_STATUSES),
  assignee: { type: 'string', pattern: '^(-|[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63})$' },
  q: { type: 'string', maxLength: 200 },
  from: EPOCH_MS, to: EPOCH_MS, time: { type: 'string', enum: ['event', 'stored'], default: 'event' },
} as const;

const split = <T extends string>(v: string | undefined): T[] | undefined => (v === undefined ? undefined : (v.split(',') as T[]));

/** The store filter a query string asks for (`assignee=-`: unassigned alerts). */
export function filterOf(q: FilterQuery): AlertFilter {
  finite('from', q.from);
  finite('to', q.to);
  const rules = split(q.rule);
  const severities = split<Severity>(q.severity);
  const statuses = split<AlertStatus>(q.status);
  return {
    ...(rules === undefined ? {} : { ruleId: rules }), ...(q.key === undefined ? {} : { key: q.key }),
    ...(severities === undefined ? {} : { severity: severities }), ...(statuses === undefined ? {} : { status: statuses }),
    ...(q.assignee === undefined ? {} : { assignee: q.assignee === '-' ? null : q.assignee }), ...(q.q === undefined ? {} : { text: q.q }),
    ...(q.from === undefined ? {} : { from: q.from }), ...(q.to === undefined ? {} : { to: q.to }), time: q.time ?? 'event',
  };
}

/** Times and severity sort newest / worst first unless told otherwise; names sort A to Z. */
const DESC_BY_DEFAULT: ReadonlySet<SortField> = new Set(['detected', 'first', 'stored', 'updated', 'severity']);
const sortOf = (q: ListQuery): AlertSort => {
  const field = q.sort ?? 'detected';
  return { field, order: q.order ?? (DESC_BY_DEFAULT.has(field) ? 'desc' : 'asc') };
};

export function alertRoutes(app: FastifyInstance, c: RouteContext): void {
  const { store } = c;
  app.get<{ Querystring: ListQuery }>('/api/v1/alerts', {
    preHandler: c.read,
    schema: {
      summary: 'The triage queue: alerts filtered (several rules, severities, statuses at once; assignee, `-` for none; key; time range; free text `q` on message and key), sorted on any column, one page after an opaque cursor, with the total matching',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          ...ALERT_FILTERS, sort: { type: 'string', enum: SORT_NAMES }, order: { type: 'string', enum: ['asc', 'desc'] },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 400 }, token: { type: 'string' },
        },
      },
    },
  }, (req) => store.list(filterOf(req.query), req.query.limit ?? 50, req.query.cursor, { sort: sortOf(req.query), count: true }));

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id', {
    preHandler: c.read,
    schema: { summary: 'One alert in full: matched events by step (with Kafka coordinates), aggregates, context snapshot, status, assignee, disposition, and its activity (status changes, assignments, notes)', params: ALERT_ID_PARAMS },
  }, (req, reply) => {
    const a = store.get(req.params.id);
    if (a === undefined) return reply.status(404).send(errorBody('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${req.params.id}`));
    return a;
  });
}
