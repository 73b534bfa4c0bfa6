// Queryable state and alert explanations: a key's partial matches, windows and context for a
// rule (what ksqlDB users get from pull queries), one context of a key, and an alert explained
// (its rule's source, each predicate's inputs, the aggregates at decision time). Read scope.
// A runner that cannot answer (built without a StateQuery, or a service instance holding no
// partitions) gives 503 CEP_ERR_STATE_UNAVAILABLE.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { StateQuery } from '../state-query.ts';
import { ALERT_ID_PARAMS } from './alerts.ts';

const KEY = { type: 'string', minLength: 1, maxLength: 256 } as const;
const STATE_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }, key: KEY }, required: ['id', 'key'] } as const;
const CONTEXT_PARAMS = { type: 'object', properties: { key: KEY, contextId: { type: 'string', minLength: 1, maxLength: 128 } }, required: ['key', 'contextId'] } as const;

export function stateRoutes(app: FastifyInstance, c: RouteContext, state: StateQuery | undefined): void {
  const unavailable = (reply: FastifyReply) => reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', 'this runner does not answer state queries; cepheus explain answers them from an event file'));

  app.get<{ Params: { id: string; key: string } }>('/api/v1/rules/:id/keys/:key', {
    preHandler: c.read,
    schema: { summary: "A key's live state for a rule: partial matches (events per step, the steps each waits for, its deadline), window contents and aggregates, the context, the watermark, recent late and overflow events", params: STATE_PARAMS },
  }, async (req, reply) => {
    if (state === undefined) return unavailable(reply);
    const r = await state.keyState(req.params.id, req.params.key);
    if (r === undefined) return reply.status(404).send(errorBody('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${req.params.id}`));
    return r;
  });

  app.get<{ Params: { key: string; contextId: string } }>('/api/v1/keys/:key/context/:contextId', {
    preHandler: c.read,
    schema: { summary: "One context of a key (known devices, EWMA...), as alerts snapshot it", params: CONTEXT_PARAMS },
  }, async (req, reply) => {
    if (state === undefined) return unavailable(reply);
    const r = await state.context(req.params.key, req.params.contextId);
    if (r === undefined) return reply.status(404).send(errorBody('CEP_ERR_API_CONTEXT_NOT_FOUND', `no loaded rule uses a context '${req.params.contextId}'`));
    return r;
  });

  app.get<{ Params: { id: string } }>('/api/v1/alerts/:id/explain', {
    preHandler: c.read,
    schema: { summary: "An alert explained: its rule's source location, each event with the predicate that let it in and the fields it read, the aggregates and condition at decision time", params: ALERT_ID_PARAMS },
  }, async (req, reply) => {
    if (state === undefined) return unavailable(reply);
    const a = c.store.get(req.params.id);
    if (a === undefined) return reply.status(404).send(errorBody('CEP_ERR_STORE_ALERT_NOT_FOUND', `no alert ${req.params.id}`));
    const { status: _s, storedAt: _t, history: _h, ...alert } = a;
    return state.explainAlert(alert);
  });
}
