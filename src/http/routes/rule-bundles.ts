// The rule set as a log (admin deploys, read tokens read): POST a bundle of rule module
// sources; it is validated (size, type check, load, rule validation, dry run on the bundled
// fixture) and refused whole with a coded 4xx, or applied at the next event-time boundary and
// answered once it is committed to the control topic. The actor is the token's name.
// Shadow mode: POST a bundle holding a candidate version of one rule (validated the same way);
// it runs beside the live one from the next boundary, its alerts kept apart; read its diff,
// promote it or discard it. Each is a change of the control log, audited.
import type { FastifyInstance } from 'fastify';
import { requestIdentity } from '../auth.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { BundleControl } from '../rule-control.ts';

interface DeployBody {
  files: Record<string, string>;
  comment?: string;
}

/** A bundle in a request body: its module sources by path, and a comment. */
const BUNDLE_BODY = {
  type: 'object', additionalProperties: false, required: ['files'],
  properties: {
    files: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } },
    comment: { type: 'string', maxLength: 1000 },
  },
} as const;

export function ruleBundleRoutes(app: FastifyInstance, c: RouteContext, bundles: BundleControl | undefined, maxBundleBytes: number): void {
  const none = 'this runner has no control log (the service has: cepheus run)';
  // A bundle in, validated and applied by the control (deploy, or a candidate in shadow): 201
  // once committed, 202 when it waits for a second admin.
  const bundleRoute = (path: string, summary: string, act: (b: BundleControl, files: DeployBody['files'], actor: string, comment: string) => Promise<object>): void => {
    app.post<{ Body: DeployBody }>(path, {
      preHandler: c.admin,
      // JSON escaping can double a source's size; the bundle's own limit is checked on its sources.
      bodyLimit: 2 * maxBundleBytes + 64 * 1024,
      schema: { summary, body: BUNDLE_BODY },
    }, async (req, reply) => {
      if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
      const r = await act(bundles, req.body.files, requestIdentity(req)?.name ?? 'unknown', req.body.comment ?? '');
      return reply.status('proposal' in r ? 202 : 201).send(r);
    });
  };
  bundleRoute('/api/v1/rule-bundles', 'Deploy a bundle of rule modules (sources by path); validated first, applied at an event-time boundary, answered once committed',
    (b, files, actor, comment) => b.deploy(files, actor, comment));

  // Four eyes (rules.approvals: 2): changes wait here for a second admin.
  app.get('/api/v1/rule-proposals', { preHandler: c.read, schema: { summary: 'Rule changes proposed and waiting for (or decided by) a second admin' } }, (_req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    return { items: bundles.proposals() };
  });
  const PROPOSAL = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9-]{1,64}$' } }, required: ['id'] } as const;
  app.post<{ Params: { id: string } }>('/api/v1/rule-proposals/:id/approve', {
    preHandler: c.admin, schema: { summary: 'Approve a proposed rule change (an admin other than its proposer): it applies at the next boundary; answered once committed', params: PROPOSAL },
  }, async (req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    return { change: await bundles.approve(req.params.id, requestIdentity(req)?.name ?? 'unknown') };
  });
  app.post<{ Params: { id: string } }>('/api/v1/rule-proposals/:id/reject', {
    preHandler: c.admin, schema: { summary: 'Reject a proposed rule change: nothing changes', params: PROPOSAL },
  }, (req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    return { proposal: bundles.reject(req.params.id, requestIdentity(req)?.name ?? 'unknown') };
  });

  bundleRoute('/api/v1/rule-shadows', 'Start a candidate version of a rule in shadow (a bundle holding exactly one rule at another version than the live one); validated like a deploy, applied at an event-time boundary, answered once committed',
    (b, files, actor, comment) => b.shadow(files, actor, comment));
  const RULE = { type: 'object', properties: { id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$' } }, required: ['id'] } as const;
  app.get<{ Params: { id: string } }>('/api/v1/rules/:id/shadow', {
    preHandler: c.read,
    schema: { summary: "A rule's candidate in shadow: since when, its state, and its alerts paired with the live version's from its boundary on (only live, only shadow, both)", params: RULE },
  }, (req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    return bundles.shadowReport(req.params.id);
  });
  for (const action of ['promote', 'discard'] as const) {
    app.post<{ Params: { id: string }; Body: { comment?: string } | undefined }>(`/api/v1/rules/:id/shadow/${action}`, {
      preHandler: c.admin,
      schema: {
        summary: action === 'promote' ? 'The candidate replaces the live version at the next boundary, keeping its state; answered once committed' : 'Drop the candidate and its state at the next boundary; answered once committed',
        params: RULE, body: { type: 'object', additionalProperties: false, properties: { comment: { type: 'string', maxLength: 1000 } } },
      },
    }, async (req, reply) => {
      if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
      const r = await bundles[action](req.params.id, requestIdentity(req)?.name ?? 'unknown', req.body?.comment ?? '');
      return 'proposal' in r ? reply.status(202).send(r) : { change: r };
    });
  }

  app.get('/api/v1/rule-bundles', {
    preHandler: c.read, schema: { summary: 'The rule set in force (bundle hash, version, rules, disabled) and every change, oldest first' },
  }, (_req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    return bundles.history();
  });

  app.get<{ Params: { hash: string } }>('/api/v1/rule-bundles/:hash', {
    preHandler: c.read,
    schema: { summary: 'A bundle: its module sources, rules and size', params: { type: 'object', properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, required: ['hash'] } },
  }, (req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    const b = bundles.bundle(req.params.hash);
    if (b === undefined) return reply.status(404).send(errorBody('CEP_ERR_API_NOT_FOUND', `no bundle ${req.params.hash} in the control log`));
    return b;
  });
}
