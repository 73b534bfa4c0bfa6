// Rules with what they mean (description, severity, key space, the library factory and the
// parameters they were built with (the library's defaults and what was given), the definition as data), their counters, and latency over
// the recent window: evaluation time per event (sampled) and alert latency. Enable / disable at
// runtime (admin), attributed to the token.
import type { FastifyInstance } from 'fastify';
import * as library from 'cepheus/rules';
import type { AnyRule } from '../../core/rule-types.ts';
import { sourceOf } from '../../explain/run-explain.ts';
import { definitionView } from '../../mcp/views.ts';
import { requestIdentity } from '../auth.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';

const LIBRARY_DEFAULTS = library.DEFAULTS as Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>>;
const IDENTITY = new Set(['id', 'version', 'severity', 'tags']);

/** The parameters a library factory built the rule with: its defaults, then what was given (identity fields aside). */
function paramsOf(rule: AnyRule): Record<string, unknown> | null {
  if (rule.origin === undefined) return null;
  const given = Object.fromEntries(Object.entries(rule.origin.params).filter(([k, v]) => !IDENTITY.has(k) && v !== undefined));
  return { ...LIBRARY_DEFAULTS[rule.origin.factory], ...given };
}

const RULE_PARAMS = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } }, required: ['id'] } as const;

export function ruleRoutes(app: FastifyInstance, c: RouteContext): void {
  app.get('/api/v1/rules', { preHandler: c.read, schema: { summary: 'Rules with description, parameters and definition, counters, and latency (µs) over the recent window: evaluation per event, and alert latency' } }, () => ({
    items: c.rules.list().map((r) => {
      const m = c.ruleModules.find((l) => l.rule.id === r.id);
      const def = m?.rule;
      return {
        id: r.id, version: r.version, kind: r.kind, enabled: r.enabled, ...r.stats, stateKeys: r.stateKeys, partialMatches: r.held,
        latencyUs: c.latency?.rule(r.id) ?? null, evaluationUs: c.latency?.evaluation(r.id) ?? null,
        // The running rule's own words: a deployed rule has no module among those loaded at start.
        severity: r.severity ?? def?.severity ?? null, description: r.description ?? def?.description ?? null, tags: def?.tags ?? [],
        factory: def?.origin?.factory ?? null, params: def === undefined ? null : paramsOf(def),
        source: m === undefined ? null : sourceOf(m),
        definition: def === undefined ? null : definitionView(def),
      };
    }),
    // Candidates in shadow (shadow mode): their own engines and state, beside the live rules.
    shadows: (c.rules.shadows?.() ?? []).map((r) => ({ id: r.id, version: r.version, kind: r.kind, ...r.stats, stateKeys: r.stateKeys, partialMatches: r.held })),
  }));

  for (const action of ['enable', 'disable'] as const) {
    app.post<{ Params: { id: string } }>(`/api/v1/rules/:id/${action}`, {
      preHandler: c.admin,
      schema: { summary: `${action === 'enable' ? 'Enable' : 'Disable'} a rule at runtime, no restart (the service: a change in the control log, applied at an event-time boundary, kept across crashes; the demo keeps the choice in its store)`, params: RULE_PARAMS },
    }, async (req, reply) => {
      const done = await c.rules.setEnabled(req.params.id, action === 'enable', requestIdentity(req)?.name);
      if (done === false) return reply.status(404).send(errorBody('CEP_ERR_API_RULE_NOT_FOUND', `no rule ${req.params.id}`));
      // Four eyes: accepted as a proposal, applied once another admin approves it.
      if (done !== true) return reply.status(202).send(done);
      return { id: req.params.id, enabled: action === 'enable' };
    });
  }
}
