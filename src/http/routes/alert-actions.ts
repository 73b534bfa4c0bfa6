// Case work (admin scope): status changes (resolving takes a disposition), assignment, notes,
// and one status change on many alerts. Every change is recorded in the alert's activity under
// the token's name (auth.ts requestIdentity). A body may still carry the `actor` field earlier
// versions required: equal to the token's name it is accepted, any other value is refused with
// CEP_ERR_API_ACTOR_MISMATCH, so a change is never recorded under a name the client made up.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CepError } from '../../core/errors.ts';
import { ALERT_STATUSES, DISPOSITIONS } from '../../store/alert-store.ts';
import type { AlertStatus, Disposition } from '../../store/alert-store.ts';
import { requestIdentity } from '../auth.ts';
import type { RouteContext } from '../context.ts';
import { ALERT_ID_PARAMS } from './alerts.ts';

const NOTE = { type: 'string', maxLength: 4000 } as const;
const ACTOR = { type: 'string', minLength: 1, maxLength: 128, description: "Optional and only the token's own name: changes are attributed to the token" } as const;
const NAME = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$' } as const;
const STATUS_BODY = {
  status: { type: 'string', enum: [...ALERT_STATUSES] }, disposition: { type: 'string', enum: [...DISPOSITIONS] }, note: NOTE, actor: ACTOR,
} as const;

interface StatusBody { status: AlertStatus; disposition?: Disposition; note?: string; actor?: string }

/** The token's name; refuses a body naming someone else. */
export function actorOf(req: FastifyRequest, claimed: string | undefined): string {
  const me = requestIdentity(req);
  if (me === undefined) throw new CepError('CEP_ERR_API_UNAUTHENTICATED', 'send Authorization: Bearer <token>');
  if (claimed !== undefined && claimed !== me.name) {
    throw new CepError('CEP_ERR_API_ACTOR_MISMATCH', `changes are recorded under the token's name (${me.name}), not '${claimed}': drop "actor" from the body, or use the token named ${claimed}`);
  }
  return me.name;
}

export function alertActionRoutes(app: FastifyInstance, c: RouteContext): void {
  const { store } = c;
  app.post<{ Params: { id: string }; Body: StatusBody }>('/api/v1/alerts/:id/status', {
    preHandler: c.admin,
    schema: {
      summary: "Change an alert's status (open, acknowledged, resolved; resolving takes a disposition: true-positive, false-positive, benign, duplicate, inconclusive), recorded under the token's name with the note",
      params: ALERT_ID_PARAMS,
      body: { type: 'object', additionalProperties: false, required: ['status'], properties: STATUS_BODY },
    },
  }, (req) => store.setStatus(req.params.id, req.body.status, actorOf(req, req.body.actor), req.body.note ?? '', c.now(), req.body.disposition ?? null));

  app.post<{ Body: StatusBody & { ids: string[] } }>('/api/v1/alerts/status', {
    preHandler: c.admin,
    schema: {
      summary: 'One status change on many alerts (at most 500) in one transaction: `changed` lists them, `skipped` those already in that status or unknown, each with its code',
      body: {
        type: 'object', additionalProperties: false, required: ['ids', 'status'],
        properties: { ...STATUS_BODY, ids: { type: 'array', minItems: 1, maxItems: 500, items: ALERT_ID_PARAMS.properties.id } },
      },
    },
  }, (req) => store.setStatusMany(req.body.ids, req.body.status, actorOf(req, req.body.actor), req.body.note ?? '', c.now(), req.body.disposition ?? null));

  app.post<{ Params: { id: string }; Body: { assignee: string | null; note?: string; actor?: string } }>('/api/v1/alerts/:id/assign', {
    preHandler: c.admin,
    schema: {
      summary: 'Assign an alert to someone (a name as tokens are named), or unassign it with null; recorded in its activity',
      params: ALERT_ID_PARAMS,
      body: { type: 'object', additionalProperties: false, required: ['assignee'], properties: { assignee: { anyOf: [NAME, { type: 'null' }] }, note: NOTE, actor: ACTOR } },
    },
  }, (req) => store.assign(req.params.id, req.body.assignee, actorOf(req, req.body.actor), req.body.note ?? '', c.now()));

  app.post<{ Params: { id: string }; Body: { note: string; actor?: string } }>('/api/v1/alerts/:id/notes', {
    preHandler: c.admin,
    schema: {
      summary: "Add a note to an alert's activity",
      params: ALERT_ID_PARAMS,
      body: { type: 'object', additionalProperties: false, required: ['note'], properties: { note: { ...NOTE, minLength: 1 }, actor: ACTOR } },
    },
  }, (req) => store.addNote(req.params.id, actorOf(req, req.body.actor), req.body.note, c.now()));
}
