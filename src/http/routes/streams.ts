// Input partitions and event time: each partition's max event time, watermark and activity
// with the global watermark (read), and an operator's watermark reset (admin), recorded in the
// audit log with the token's identity (requestIdentity), never a name the client sends.
// A runner without stream control (the demo replays a file: nothing to reset) answers 503.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AuditLog } from '../../store/audit-log.ts';
import { requestIdentity } from '../auth.ts';
import type { RouteContext } from '../context.ts';
import { errorBody } from '../errors.ts';
import type { StreamControl } from '../stream-control.ts';

/** Epoch milliseconds within what a Date holds. */
const MAX_EPOCH_MS = 8_640_000_000_000_000;
const RESET_PARAMS = {
  type: 'object', required: ['topic', 'partition'],
  properties: { topic: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,249}$' }, partition: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
} as const;
const RESET_BODY = {
  type: 'object', additionalProperties: false, required: ['to', 'reason'],
  properties: {
    to: { type: 'integer', minimum: -MAX_EPOCH_MS, maximum: MAX_EPOCH_MS, description: "The partition's new watermark (epoch ms): events at or after it are on time again" },
    reason: { type: 'string', minLength: 1, maxLength: 1000, description: 'Why, for the audit log' },
  },
} as const;

export const WATERMARK_RESET = 'watermark.reset';

export function streamRoutes(app: FastifyInstance, c: RouteContext, control: StreamControl | undefined, audit: AuditLog | undefined): void {
  const unavailable = (reply: FastifyReply) => reply.status(503).send(errorBody('CEP_ERR_STATE_UNAVAILABLE', 'this runner reads no Kafka partitions (the demo replays a file): nothing to show or reset'));

  app.get('/api/v1/streams', {
    preHandler: c.read,
    schema: { summary: "Input partitions: each one's largest event time, watermark, activity and position, with the global watermark (epoch ms)" },
  }, (_req, reply) => (control === undefined ? unavailable(reply) : control.streams()));

  app.post<{ Params: { topic: string; partition: number }; Body: { to: number; reason: string } }>('/api/v1/streams/:topic/:partition/watermark', {
    preHandler: c.admin,
    schema: {
      summary: "Lower a partition's watermark (and the global one when ahead of it) so later events are on time again; applied on every shard at a round boundary, checkpointed, audited",
      params: RESET_PARAMS, body: RESET_BODY,
    },
  }, async (req, reply) => {
    if (control === undefined || audit === undefined) return unavailable(reply);
    const { topic, partition } = req.params;
    const r = await control.resetWatermark(topic, partition, req.body.to);
    const actor = requestIdentity(req)?.name ?? 'unknown';
    return audit.append({ at: c.now(), actor, action: WATERMARK_RESET, target: `${topic}/${partition}`, before: { ...r.before }, after: { ...r.after, to: r.to }, comment: req.body.reason });
  });
}
