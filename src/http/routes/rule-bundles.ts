// The rule set as a log (admin deploys, read tokens read): POST a bundle of rule module
// sources; it is validated (size, type check, load, rule validation, dry run on the bundled
// fixture) and refused whole with a coded 4xx, or applied at the next event-time boundary and
// answered once it is committed to the control topic. The actor is the token's name.
import type { FastifyInstance } from 'fastify';
import { requestIdentity } from '../auth.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { BundleControl } from '../rule-control.ts';

interface DeployBody {
  files: Record<string, string>;
  comment?: string;
}

export function ruleBundleRoutes(app: FastifyInstance, c: RouteContext, bundles: BundleControl | undefined, maxBundleBytes: number): void {
  const none = 'this runner has no control log (the service has: cepheus run)';
  app.post<{ Body: DeployBody }>('/api/v1/rule-bundles', {
    preHandler: c.admin,
    // JSON escaping can double a source's size; the bundle's own limit is checked on its sources.
    bodyLimit: 2 * maxBundleBytes + 64 * 1024,
    schema: {
      summary: 'Deploy a bundle of rule modules (sources by path); validated first, applied at an event-time boundary, answered once committed',
      body: {
        type: 'object', additionalProperties: false, required: ['files'],
        properties: {
          files: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } },
          comment: { type: 'string', maxLength: 1000 },
        },
      },
    },
  }, async (req, reply) => {
    if (bundles === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', none));
    const actor = requestIdentity(req)?.name ?? 'unknown';
    const r = await bundles.deploy(req.body.files, actor, req.body.comment ?? '');
    return reply.status('proposal' in r ? 202 : 201).send(r);
  });

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
