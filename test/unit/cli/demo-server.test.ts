// The demo's REST API, through fastify inject(): pagination walks every alert exactly once,
// newest first; filters; one alert in full; status changes with history; errors are JSON
// with a stable code, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildDemoServer } from '../../../src/cli/demo-server.ts';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

let app: FastifyInstance;
let alerts: Alert[];
let store: AlertStore;

beforeAll(async () => {
  const run = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
  alerts = run.alerts;
  store = new AlertStore(':memory:');
  store.insertAll(alerts, 1_000);
  app = buildDemoServer({ store, rules: run.summary.rules, now: () => 2_000 });
});
afterAll(async () => {
  await app.close();
  store.close();
});

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() as Record<string, unknown> };
};

describe('demo REST API', () => {
  it('pages through every alert once, newest first', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(`/api/v1/alerts?limit=7${cursor === null ? '' : `&cursor=${cursor}`}`);
      expect(r.status).toBe(200);
      ids.push(...(r.body['items'] as { id: string }[]).map((a) => a.id));
      cursor = r.body['nextCursor'] as string | null;
      pages++;
    } while (cursor !== null);
    const expected = [...alerts].sort((a, b) => b.detectedAtEventTime - a.detectedAtEventTime || (a.id < b.id ? -1 : 1)).map((a) => a.id);
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.ceil(30 / 7));
  });

  it('filters by rule, key and severity', async () => {
    const byRule = await get('/api/v1/alerts?rule=spoofing');
    expect((byRule.body['items'] as { ruleId: string }[]).map((a) => a.ruleId)).toEqual(['spoofing', 'spoofing', 'spoofing']);
    const one = alerts.find((a) => a.ruleId === 'brute-force') as Alert;
    const byKey = await get(`/api/v1/alerts?key=${one.key}&rule=brute-force`);
    expect((byKey.body['items'] as { id: string }[]).map((a) => a.id)).toEqual([one.id]);
    const critical = await get('/api/v1/alerts?severity=critical&limit=500');
    expect((critical.body['items'] as { ruleId: string }[]).map((a) => a.ruleId).sort()).toEqual([...Array(3).fill('account-takeover'), ...Array(3).fill('dormant-drain')]);
  });

  it('returns one alert in full with its chain and context', async () => {
    const a = alerts[0] as Alert;
    const r = await get(`/api/v1/alerts/${a.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual(JSON.parse(JSON.stringify({ ...a, status: 'open', storedAt: 1_000, history: [] })));
  });

  it('changes a status with who and why, keeps every change, and filters by status', async () => {
    const a = alerts[1] as Alert;
    const post = (body: unknown) => app.inject({ method: 'POST', url: `/api/v1/alerts/${a.id}/status`, payload: body as Record<string, unknown> });
    expect((await post({ status: 'acknowledged', actor: 'ana', note: 'looking' })).statusCode).toBe(200);
    const resolved = await post({ status: 'resolved', actor: 'ana', note: 'customer confirmed fraud' });
    expect(resolved.json()).toMatchObject({ id: a.id, status: 'resolved', history: [
      { at: 2_000, from: 'open', to: 'acknowledged', actor: 'ana', note: 'looking' },
      { at: 2_000, from: 'acknowledged', to: 'resolved', actor: 'ana', note: 'customer confirmed fraud' },
    ] });
    expect((await post({ status: 'resolved', actor: 'bo' })).json()).toEqual({ error: { code: 'CEP_ERR_STORE_SAME_STATUS', message: `alert ${a.id} is already resolved` } });
    expect((await post({ status: 'closed', actor: 'bo' })).statusCode).toBe(400);
    expect((await post({ status: 'open' })).statusCode).toBe(400);
    const r = await app.inject({ method: 'POST', url: '/api/v1/alerts/al_00000000000000000000000000000000/status', payload: { status: 'open', actor: 'x' } });
    expect(r.statusCode).toBe(404);
    expect(((await get('/api/v1/alerts?status=resolved')).body['items'] as { id: string }[]).map((x) => x.id)).toEqual([a.id]);
  });

  it('answers bad input with a 4xx and a code', async () => {
    expect(await get('/api/v1/alerts/al_00000000000000000000000000000000')).toEqual({ status: 404, body: { error: { code: 'CEP_ERR_STORE_ALERT_NOT_FOUND', message: 'no alert al_00000000000000000000000000000000' } } });
    expect((await get('/api/v1/alerts/not-an-id')).status).toBe(400);
    expect((await get('/api/v1/alerts?limit=0')).body).toMatchObject({ error: { code: 'CEP_ERR_API_VALIDATION' } });
    expect((await get('/api/v1/alerts?cursor=zzz')).body).toMatchObject({ error: { code: 'CEP_ERR_STORE_CURSOR' } });
    expect((await get('/api/v1/alerts?nope=1')).status).toBe(400);
    expect((await get('/api/v1/nothing')).body).toMatchObject({ error: { code: 'CEP_ERR_API_NOT_FOUND' } });
  });

  it('lists rules with counters, and health', async () => {
    const rules = (await get('/api/v1/rules')).body['items'] as { id: string; alerts: number; eventsSeen: number }[];
    expect(rules.map((r) => [r.id, r.alerts])).toEqual(rules.map((r) => [r.id, 3]));
    expect(rules).toHaveLength(10);
    expect((await get('/healthz')).body).toEqual({ status: 'ok' });
  });
});
