// The audit log (read scope): every operator change that alters what the engine decides
// (watermark resets), newest first, with who (the token's identity), when, before, after and why.
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../../store/audit-log.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';

interface AuditQuery {
  action?: string;
  target?: string;
  actor?: string;
  limit?: number;
  cursor?: string;
}

export function auditRoutes(app: FastifyInstance, c: RouteContext, audit: AuditLog | undefined): void {
  app.get<{ Querystring: AuditQuery }>('/api/v1/audit', {
    preHandler: c.read,
    schema: {
      summary: 'The audit log, newest first: action, target, before, after, actor (the token\'s identity), time, comment',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          action: { type: 'string', maxLength: 64 }, target: { type: 'string', maxLength: 300 }, actor: { type: 'string', maxLength: 128 },
          limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 }, cursor: { type: 'string', maxLength: 200 }, token: { type: 'string' },
        },
      },
    },
  }, (req, reply) => {
    if (audit === undefined) return reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', 'this runner keeps no audit log'));
    const q = req.query;
    return audit.list({
      ...(q.action === undefined ? {} : { action: q.action }), ...(q.target === undefined ? {} : { target: q.target }), ...(q.actor === undefined ? {} : { actor: q.actor }),
    }, q.limit ?? 50, q.cursor);
  });
}
