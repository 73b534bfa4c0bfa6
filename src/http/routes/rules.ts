// Rules with their counters and engine latency; enable / disable at runtime (admin).
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';

const RULE_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } }, required: ['id'] } as const;

export function ruleRoutes(app: FastifyInstance, c: RouteContext): void {
  app.get('/api/v1/rules', { preHandler: c.read, schema: { summary: 'Rules with counters and engine latency' } }, () => ({
    items: c.rules.list().map((r) => ({
      id: r.id, version: r.version, kind: r.kind, enabled: r.enabled, ...r.stats, stateKeys: r.stateKeys, partialMatches: r.held,
      latencyUs: c.latency?.rule(r.id) ?? null,
    })),
  }));

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/rules/:id/${action}`, {
      preHandler: c.admin, schema: { summary: `${action === 'enable' ? 'Enable' : 'Disable'} a rule at runtime, no restart`, params: RULE_PARAMS },
    }, (req, reply) => {
      if (!c.rules.setEnabled(req.params.id, action === 'enable')) return reply.status(404).send(errorBody('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${req.params.id}`));
      return { id: req.params.id, enabled: action === 'enable' };
    });
  }
}
