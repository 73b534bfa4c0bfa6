// The REST API through fastify inject() and one real socket: every route, auth (401/403),
// validation (400 with a code), pagination over the whole list, status history, rules
// enable/disable at runtime, metrics, OpenAPI, and an SSE client that receives an alert
// stored after it connected.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { AlertBus } from '../../../src/store/alert-bus.ts';
import { buildApi } from '../../../src/http/server.ts';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import { LatencyRecorder } from '../../../src/metrics/latency.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { AlertStore, newAlertSummary } from '../../../src/store/alert-store.ts';

const READ = { authorization: 'Bearer r-token' };
const ADMIN = { authorization: 'Bearer a-token' };
let app: FastifyInstance;
let alerts: Alert[];
let store: AlertStore;
const bus = new AlertBus();
const latency = new LatencyRecorder();

beforeAll(async () => {
  const run = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
  alerts = run.alerts;
  store = new AlertStore(':memory:');
  store.insertAll(alerts.slice(0, 29), 1_000); // the last one arrives live in the SSE test
  latency.recordRule('spoofing', 12);
  const engine = createEngine((await loadRules()).map((l) => l.rule));
  app = await buildApi({
    store, bus, latency, tokens: { 'r-token': 'read', 'a-token': { scope: 'admin', name: 'ana' } }, now: () => 2_000, healthSampleMs: 0,
    rules: { list: () => engine.rules(), setEnabled: (id, on) => engine.setEnabled(id, on) },
    signals: () => ({ counters: { events: 36_000 }, gauges: {}, deadLetters: new Map([['CEP_ERR_INPUT_FRAME', 2]]) }),
  });
});
afterAll(async () => {
  await app.close();
  store.close();
});

const get = async (url: string, headers: Record<string, string> = READ) => {
  const r = await app.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};
const post = async (url: string, payload?: Record<string, unknown>, headers: Record<string, string> = ADMIN) => {
  const r = await app.inject({ method: 'POST', url, headers, ...(payload === undefined ? {} : { payload }) });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};
const newestFirst = (xs: readonly Alert[]) => [...xs].sort((a, b) => b.detectedAtEventTime - a.detectedAtEventTime || (a.id < b.id ? -1 : 1)).map((a) => a.id);

describe('auth', () => {
  it('leaves only health open; read tokens read, admin tokens change', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect(await get('/api/v1/alerts', {})).toEqual({ status: 401, body: { error: { code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'send Authorization: Bearer <token>' } } });
    expect(await get('/api/v1/alerts', { authorization: 'Bearer nope' })).toEqual({ status: 401, body: { error: { code: 'CEP_ERR_API_UNAUTHENTICATED', message: 'unknown token' } } });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect(await post('/api/v1/rules/spoofing/disable', undefined, READ)).toEqual({ status: 403, body: { error: { code: 'CEP_ERR_API_FORBIDDEN', message: 'this needs a token with the admin scope' } } });
  });
});

describe('alerts', () => {
  it('pages through every stored alert once, newest first', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await get(`/api/v1/alerts?limit=7${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(r.status).toBe(200);
      ids.push(...(r.body['items'] as { id: string }[]).map((a) => a.id));
      cursor = r.body['nextCursor'] as string | null;
    } while (cursor !== null);
    expect(ids).toEqual(newestFirst(alerts.slice(0, 29)));
  });

  it('filters by rule, key, severity and detection time', async () => {
    expect(((await get('/api/v1/alerts?rule=spoofing')).body['items'] as { ruleId: string }[]).map((a) => a.ruleId)).toEqual(['spoofing', 'spoofing', 'spoofing']);
    const one = alerts.find((a) => a.ruleId === 'brute-force') as Alert;
    expect(((await get(`/api/v1/alerts?key=${one.key}&rule=brute-force`)).body['items'] as { id: string }[]).map((a) => a.id)).toEqual([one.id]);
    expect(((await get(`/api/v1/alerts?from=${one.detectedAtEventTime}&to=${one.detectedAtEventTime}`)).body['items'] as { id: string }[]).map((a) => a.id)).toEqual([one.id]);
    expect(((await get('/api/v1/alerts?time=stored&from=1000&to=1000&limit=500')).body['items'] as unknown[]).length).toBe(29);
    expect(((await get('/api/v1/alerts?time=stored&from=1001')).body['items'] as unknown[]).length).toBe(0);
    const critical = (await get('/api/v1/alerts?severity=critical&limit=500')).body['items'] as { ruleId: string }[];
    expect(critical.map((a) => a.ruleId).sort()).toEqual(alerts.slice(0, 29).filter((a) => a.severity === 'critical').map((a) => a.ruleId).sort());
  });

  it('returns one alert in full, and changes its status with history', async () => {
    const a = alerts[0] as Alert;
    expect((await get(`/api/v1/alerts/${a.id}`)).body).toEqual(JSON.parse(JSON.stringify({
      ...a, status: 'open', disposition: null, assignee: null, storedAt: 1_000, updatedAt: 1_000, history: [], activity: [],
    })));
    // The actor is the token's name ('ana'); a body naming the same is accepted, anyone else refused.
    expect((await post(`/api/v1/alerts/${a.id}/status`, { status: 'acknowledged', actor: 'ana', note: 'looking' })).status).toBe(200);
    expect(await post(`/api/v1/alerts/${a.id}/status`, { status: 'resolved', actor: 'bo' })).toEqual({ status: 400, body: { error: {
      code: 'CEP_ERR_API_ACTOR_MISMATCH', message: "changes are recorded under the token's name (ana), not 'bo': drop \"actor\" from the body, or use the token named bo",
    } } });
    const r = await post(`/api/v1/alerts/${a.id}/status`, { status: 'resolved', disposition: 'true-positive', note: 'confirmed fraud' });
    expect(r.body).toMatchObject({ id: a.id, status: 'resolved', disposition: 'true-positive', updatedAt: 2_000, history: [
      { at: 2_000, from: 'open', to: 'acknowledged', actor: 'ana', note: 'looking', disposition: null },
      { at: 2_000, from: 'acknowledged', to: 'resolved', actor: 'ana', note: 'confirmed fraud', disposition: 'true-positive' },
    ] });
    expect(await post(`/api/v1/alerts/${a.id}/status`, { status: 'resolved' })).toEqual({ status: 409, body: { error: { code: 'CEP_ERR_STORE_SAME_STATUS', message: `alert ${a.id} is already resolved` } } });
    expect(((await get('/api/v1/alerts?status=resolved')).body['items'] as { id: string }[]).map((x) => x.id)).toEqual([a.id]);
  });

  it('answers bad input with a 4xx and a code, never a 5xx', async () => {
    expect(await get('/api/v1/alerts/al_00000000000000000000000000000000')).toEqual({ status: 404, body: { error: { code: 'CEP_ERR_STORE_ALERT_NOT_FOUND', message: 'no alert al_00000000000000000000000000000000' } } });
    expect((await get('/api/v1/alerts/not-an-id')).body).toMatchObject({ error: { code: 'CEP_ERR_API_VALIDATION' } });
    expect((await get('/api/v1/alerts?limit=0')).body).toMatchObject({ error: { code: 'CEP_ERR_API_VALIDATION' } });
    expect((await get('/api/v1/alerts?severity=urgent')).body).toEqual({ error: { code: 'CEP_ERR_API_VALIDATION', message: 'querystring/severity must match pattern "^(low|medium|high|critical)(,(low|medium|high|critical))*$"' } });
    expect((await get('/api/v1/alerts?from=1e400')).body).toEqual({ error: { code: 'CEP_ERR_API_VALIDATION', message: 'querystring/from must be <= 8640000000000000' } });
    expect((await get('/api/v1/alerts?cursor=zzz')).body).toMatchObject({ error: { code: 'CEP_ERR_STORE_CURSOR' } });
    expect((await get('/api/v1/alerts?nope=1')).status).toBe(400);
    expect((await post(`/api/v1/alerts/${alerts[1]?.id}/status`, { status: 'closed', actor: 'x' })).status).toBe(400);
    expect(await post(`/api/v1/alerts/${alerts[1]?.id}/status`, { status: 'acknowledged', disposition: 'benign' })).toEqual({ status: 400, body: { error: {
      code: 'CEP_ERR_STORE_DISPOSITION', message: "a disposition (benign) goes with resolving an alert, not with 'acknowledged'",
    } } });
    expect((await post(`/api/v1/alerts/${alerts[1]?.id}/status`, { status: 'resolved', disposition: 'maybe' })).body).toMatchObject({ error: { code: 'CEP_ERR_API_VALIDATION' } });
    const big = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[1]?.id}/status`, headers: { ...ADMIN, 'content-type': 'application/json' }, payload: `{"status":"open","actor":"x","note":"${'x'.repeat(70_000)}"}` });
    expect([big.statusCode, big.json()]).toEqual([413, { error: { code: 'CEP_ERR_API_BODY_TOO_LARGE', message: 'Request body is too large' } }]);
    const broken = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[1]?.id}/status`, headers: { ...ADMIN, 'content-type': 'application/json' }, payload: '{"status":' });
    expect([broken.statusCode, broken.json().error.code]).toEqual([400, 'CEP_ERR_API_BODY_INVALID']);
    const text = await app.inject({ method: 'POST', url: `/api/v1/alerts/${alerts[1]?.id}/status`, headers: { ...ADMIN, 'content-type': 'text/csv' }, payload: 'status,open' });
    expect([text.statusCode, text.json().error.code]).toEqual([415, 'CEP_ERR_API_MEDIA_TYPE']);
    // Every code the API answered with is one of ours (no fastify FST_ERR_* leaks out).
    for (const r of [big, broken, text]) expect(r.json().error.code).toMatch(/^CEP_ERR_API_[A-Z_]+$/);
    expect((await get('/api/v1/nothing')).body).toMatchObject({ error: { code: 'CEP_ERR_API_NOT_FOUND' } });
  });
});

describe('rules, latency, metrics, OpenAPI', () => {
  it('lists rules with counters and latency; disables and enables one at runtime', async () => {
    const rules = (await get('/api/v1/rules')).body['items'] as { id: string; enabled: boolean; latencyUs: unknown }[];
    expect(rules).toHaveLength(10);
    expect(rules.find((r) => r.id === 'spoofing')?.latencyUs).toEqual({ count: 1, p50: 12, p90: 12, p99: 12, p999: 12, max: 12 });
    expect(await post('/api/v1/rules/spoofing/disable')).toEqual({ status: 200, body: { id: 'spoofing', enabled: false } });
    expect(((await get('/api/v1/rules')).body['items'] as { id: string; enabled: boolean }[]).find((r) => r.id === 'spoofing')?.enabled).toBe(false);
    expect(await post('/api/v1/rules/spoofing/enable')).toEqual({ status: 200, body: { id: 'spoofing', enabled: true } });
    expect(await post('/api/v1/rules/no-such-rule/enable')).toEqual({ status: 404, body: { error: { code: 'CEP_ERR_API_RULE_NOT_FOUND', message: 'no rule no-such-rule' } } });
  });

  it('exports latency histograms and Prometheus metrics', async () => {
    const lat = (await get('/api/v1/latency')).body as { rules: Record<string, { p99: number; histogram: string }> };
    expect(lat.rules['spoofing']?.p99).toBe(12);
    expect(lat.rules['spoofing']?.histogram).toMatch(/^[A-Za-z0-9+/=]+$/);
    const m = await app.inject({ method: 'GET', url: '/metrics', headers: READ });
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toContain('cepheus_alerts_stored{cepheus_instance="cepheus"} 29');
    expect(m.body).toContain('cepheus_rule_events_total{rule="spoofing",cepheus_instance="cepheus"} 0');
    expect(m.body).toContain('cepheus_events_total{cepheus_instance="cepheus"} 36000');
    expect(m.body).toContain('cepheus_dead_letters_total{code="CEP_ERR_INPUT_FRAME",cepheus_instance="cepheus"} 2');
    expect(m.body).toContain('# TYPE cepheus_rule_alerts_total counter');
    expect(m.body).toContain('cepheus_alert_latency_seconds_bucket{cepheus_instance="cepheus",rule="spoofing",le="0.000025"} 1');
    expect(m.body).toContain('cepheus_alert_latency_seconds_count{cepheus_instance="cepheus",rule="spoofing"} 1');
  });

  it('serves its OpenAPI document', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/alerts', '/api/v1/alerts/status', '/api/v1/alerts/stream', '/api/v1/alerts/{id}', '/api/v1/alerts/{id}/assign', '/api/v1/alerts/{id}/explain',
      '/api/v1/alerts/{id}/notes', '/api/v1/alerts/{id}/status', '/api/v1/audit', '/api/v1/health/history', '/api/v1/keys/{key}/context/{contextId}', '/api/v1/latency', '/api/v1/me',
      '/api/v1/rule-bundles', '/api/v1/rule-bundles/{hash}', '/api/v1/rule-proposals', '/api/v1/rule-proposals/{id}/approve', '/api/v1/rule-proposals/{id}/reject', '/api/v1/rule-shadows', '/api/v1/rules', '/api/v1/rules/{id}/disable', '/api/v1/rules/{id}/enable', '/api/v1/rules/{id}/keys/{key}',
      '/api/v1/rules/{id}/shadow', '/api/v1/rules/{id}/shadow/discard', '/api/v1/rules/{id}/shadow/promote', '/api/v1/stats/alerts', '/api/v1/stats/dispositions',
      '/api/v1/streams', '/api/v1/streams/{topic}/{partition}/watermark',
    ]);
  });
});

describe('over a real socket', () => {
  it('streams an alert stored after the client connected (SSE), filtered by rule', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const late = alerts[29] as Alert;
    const received = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/api/v1/alerts/stream?rule=${late.ruleId}&token=r-token` }, (res) => {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/event-stream');
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          if (buf.includes('retry: 2000')) {
            // Connected: now other rules' alerts (filtered out) and then the late one arrive.
            const other = alerts.find((a) => a.ruleId !== late.ruleId) as Alert;
            bus.publish(newAlertSummary(other, 3));
            store.insert(late, 3_000);
            bus.publish(newAlertSummary(late, 3_000));
            buf = buf.replace('retry: 2000', '');
          }
          const m = /event: alert\ndata: (.*)\n\n/.exec(buf);
          if (m !== null) {
            req.destroy();
            resolve(m[1] as string);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(received)).toMatchObject({ id: late.id, ruleId: late.ruleId, status: 'open', storedAt: 3_000 });
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/alerts/${late.id}`, { headers: READ });
    expect(r.status).toBe(200);
  });
});
