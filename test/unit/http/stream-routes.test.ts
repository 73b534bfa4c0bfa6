// The stream routes and the audit log over fastify inject(): read scope lists partitions, the
// admin scope resets a watermark with a reason; the audit entry names the token's identity
// (never a name the client sends: the body refuses one), with before and after; the control's
// refusals leave as their codes and statuses; a runner without stream control answers 503.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { CepError } from '../../../src/core/errors.ts';
import { buildApi } from '../../../src/http/server.ts';
import type { StreamControl, StreamsView, WatermarkReset } from '../../../src/http/stream-control.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';
import { AuditLog } from '../../../src/store/audit-log.ts';

const READ = { authorization: 'Bearer r-token-1' };
const ADMIN = { authorization: 'Bearer a-token-1' };
const T = Date.UTC(2026, 1, 13, 23);
const Y2099 = Date.UTC(2099, 0, 1);

const view: StreamsView = {
  watermark: Y2099 - 5000, outOfOrdernessMs: 5000,
  streams: [
    { topic: 'logins', partition: 0, maxEventTime: Y2099, watermark: Y2099 - 5000, active: false, held: false, position: 6001, committed: 6001 },
    { topic: 'logins', partition: 1, maxEventTime: null, watermark: null, active: true, held: false, position: 0, committed: null },
  ],
};

/** A control that answers like the service's: refusals as CepErrors, a reset with its before and after. */
const control: StreamControl = {
  streams: () => view,
  resetWatermark: async (topic, partition, to): Promise<WatermarkReset> => {
    if (topic !== 'logins' || partition !== 0) throw new CepError('CEP_ERR_API_STREAM_NOT_FOUND', `this instance reads no partition ${topic}/${partition}`);
    if (to >= Y2099 - 5000) throw new CepError('CEP_ERR_WATERMARK_RESET', 'nothing to lower');
    return {
      topic, partition, to,
      before: { maxEventTime: Y2099, watermark: Y2099 - 5000, active: false, globalWatermark: Y2099 - 5000 },
      after: { maxEventTime: to + 5000, watermark: to, active: true, globalWatermark: to },
    };
  },
};

let app: FastifyInstance;
let bare: FastifyInstance;
let store: AlertStore;
let audit: AuditLog;
beforeAll(async () => {
  store = new AlertStore(':memory:');
  audit = new AuditLog(':memory:');
  const common = { store, rules: { list: () => [], setEnabled: () => false }, tokens: { 'r-token-1': 'read' as const, 'a-token-1': { scope: 'admin' as const, name: 'ops-ana' } }, now: () => 1_700 };
  app = await buildApi({ ...common, streams: control, audit });
  bare = await buildApi(common);
});
afterAll(async () => {
  await app.close();
  await bare.close();
  store.close();
  audit.close();
});

const call = async (a: FastifyInstance, method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: Record<string, unknown>) => {
  const r = await a.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
  return { status: r.statusCode, body: r.json() as unknown };
};

describe('stream routes', () => {
  it('lists partitions for a read token, resets for an admin one, and audits the reset with the token\'s identity', async () => {
    expect(await call(app, 'GET', '/api/v1/streams', READ)).toEqual({ status: 200, body: view });
    const body = { to: T, reason: 'producer sent an event dated 2099; redriving the late events' };
    expect(await call(app, 'POST', '/api/v1/streams/logins/0/watermark', READ, body)).toEqual({ status: 403, body: { error: { code: 'CEP_ERR_API_FORBIDDEN', message: 'this needs a token with the admin scope' } } });
    const entry = {
      id: 1, at: 1_700, actor: 'ops-ana', action: 'watermark.reset', target: 'logins/0',
      before: { maxEventTime: Y2099, watermark: Y2099 - 5000, active: false, globalWatermark: Y2099 - 5000 },
      after: { maxEventTime: T + 5000, watermark: T, active: true, globalWatermark: T, to: T },
      comment: 'producer sent an event dated 2099; redriving the late events',
    };
    expect(await call(app, 'POST', '/api/v1/streams/logins/0/watermark', ADMIN, body)).toEqual({ status: 200, body: entry });
    expect(await call(app, 'GET', '/api/v1/audit', READ)).toEqual({ status: 200, body: { items: [entry], nextCursor: null } });
    expect(await call(app, 'GET', '/api/v1/audit?action=watermark.reset&target=logins/1', READ)).toEqual({ status: 200, body: { items: [], nextCursor: null } });
  });

  it('refuses a client-sent actor, a missing reason and a bad time; passes the control\'s refusals on with their codes', async () => {
    const post = (url: string, payload: Record<string, unknown>) => call(app, 'POST', url, ADMIN, payload);
    expect(await post('/api/v1/streams/logins/0/watermark', { to: T, reason: 'x', actor: 'someone-else' }))
      .toEqual({ status: 400, body: { error: { code: 'CEP_ERR_API_VALIDATION', message: 'body must NOT have additional properties' } } });
    expect(await post('/api/v1/streams/logins/0/watermark', { to: T }))
      .toEqual({ status: 400, body: { error: { code: 'CEP_ERR_API_VALIDATION', message: "body must have required property 'reason'" } } });
    expect(await post('/api/v1/streams/logins/0/watermark', { to: 'yesterday', reason: 'x' }))
      .toEqual({ status: 400, body: { error: { code: 'CEP_ERR_API_VALIDATION', message: 'body/to must be integer' } } });
    expect(await post('/api/v1/streams/logins/x/watermark', { to: T, reason: 'x' }))
      .toEqual({ status: 400, body: { error: { code: 'CEP_ERR_API_VALIDATION', message: 'params/partition must be integer' } } });
    expect(await post('/api/v1/streams/trades/3/watermark', { to: T, reason: 'x' }))
      .toEqual({ status: 404, body: { error: { code: 'CEP_ERR_API_STREAM_NOT_FOUND', message: 'this instance reads no partition trades/3' } } });
    expect(await post('/api/v1/streams/logins/0/watermark', { to: Y2099, reason: 'x' }))
      .toEqual({ status: 409, body: { error: { code: 'CEP_ERR_WATERMARK_RESET', message: 'nothing to lower' } } });
    // Refused resets are not audited: the log still holds the one reset.
    expect(((await call(app, 'GET', '/api/v1/audit', READ)).body as { items: { id: number }[] }).items.map((e) => e.id)).toEqual([1]);
  });

  it('a runner without stream control or audit log answers 503 with a code', async () => {
    const unavailable = { error: { code: 'CEP_ERR_STATE_UNAVAILABLE', message: 'this runner reads no Kafka partitions (the demo replays a file): nothing to show or reset' } };
    expect(await call(bare, 'GET', '/api/v1/streams', READ)).toEqual({ status: 503, body: unavailable });
    expect(await call(bare, 'POST', '/api/v1/streams/logins/0/watermark', ADMIN, { to: T, reason: 'x' })).toEqual({ status: 503, body: unavailable });
    expect(await call(bare, 'GET', '/api/v1/audit', READ)).toEqual({ status: 503, body: { error: { code: 'CEP_ERR_STATE_UNAVAILABLE', message: 'this runner keeps no audit log' } } });
  });
});
