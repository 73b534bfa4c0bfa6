// The state routes over the demo's in-process engine: after a known prefix of the fixture,
// a key's state is exactly what `cepheus explain --no-flush` says for the same prefix; a
// context, 404s with codes, 503 without a state query, and an alert explained whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Alert } from '../../../src/core/alert.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import { explain } from '../../../src/core/explain/explain.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { engineStateQuery } from '../../../src/explain/engine-state.ts';
import { RecentKeyIssues } from '../../../src/explain/recent.ts';
import { buildApi } from '../../../src/http/server.ts';
import { readEvents } from '../../../src/io/read-events.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import type { LoadedRule } from '../../../src/rules/load-rules.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

const READ = { authorization: 'Bearer r' };
/** Events of the fixture up to just before account-takeover/positive-1's cash-out (ev-0f0f9a4f212f, the 15 502nd). */
const PREFIX = 15_501;
const OPTIONS = { outOfOrdernessMs: 5000 };
let loaded: LoadedRule[];
const events: AnyEvent[] = [];
let app: FastifyInstance;
let bare: FastifyInstance;
let store: AlertStore;
let alerts: Alert[];

beforeAll(async () => {
  loaded = await loadRules();
  const rules = loaded.map((l) => l.rule);
  for await (const item of readEvents('fixtures/default.avro')) if ('event' in item) events.push(item.event);
  // Alerts of the whole fixture, for the explain route.
  const whole = createEngine(rules, OPTIONS);
  for (const e of events) whole.push(e);
  whole.flush();
  alerts = whole.drain().flatMap((f) => (f.kind === 'alert' ? [f.alert] : []));
  store = new AlertStore(':memory:');
  store.insertAll(alerts, 1_000);
  // The live engine, stopped after the prefix (nothing flushed).
  const engine = createEngine(rules, OPTIONS);
  const recent = new RecentKeyIssues(rules);
  for (const e of events.slice(0, PREFIX)) {
    engine.push(e);
    for (const f of engine.drain()) recent.record(f, engine.watermark);
  }
  const rulesControl = { list: () => engine.rules(), setEnabled: (id: string, on: boolean) => engine.setEnabled(id, on) };
  app = await buildApi({
    store, tokens: { r: 'read' }, rules: rulesControl,
    state: engineStateQuery({ engine, loaded, recent, history: () => events, engineOptions: OPTIONS }),
  });
  bare = await buildApi({ store, tokens: { r: 'read' }, rules: rulesControl });
});
afterAll(async () => {
  await app.close();
  await bare.close();
  store.close();
});

const get = async (url: string, server = app) => {
  const r = await server.inject({ method: 'GET', url, headers: READ });
  return { status: r.statusCode, body: r.json() as unknown };
};
/** What `cepheus explain <prefix> --rule <id> --key <key> --no-flush` ends with. */
const explained = (ruleId: string, key: string) => explain(loaded.map((l) => l.rule), events.slice(0, PREFIX), { ruleId, key, engine: OPTIONS, end: 'hold' }).state;

describe('GET /api/v1/rules/:id/keys/:key', () => {
  it.each([
    ['account-takeover', 'AC8514803'], ['brute-force', 'AC8514803'], ['impossible-travel', 'AC8514803'], ['large-trade', 'AC0621164'],
    ['credential-stuffing', '91.218.248.243'], ['spoofing', 'AC2230485|FR13BOT4T6D3'], ['wash-trading', 'FR90GCSW3AW7'],
  ])('answers for %s at %s what explain --no-flush says for the same prefix', async (ruleId, key) => {
    expect(await get(`/api/v1/rules/${ruleId}/keys/${encodeURIComponent(key)}`)).toEqual({ status: 200, body: { ...explained(ruleId, key), recent: { late: [], overflow: [] } } });
  });

  it("holds account-takeover/positive-1's partial matches: two wait for the cash-out, two for more failures", async () => {
    const { body } = await get('/api/v1/rules/account-takeover/keys/AC8514803');
    const matches = (body as { state: { partialMatches: { steps: { step: string; events: { id: string }[] }[]; waitsFor: string[]; deadline: number; status: string }[] } }).state.partialMatches;
    expect(matches.map((m) => ({ steps: m.steps.map((s) => [s.step, s.events.map((e) => e.id)]), waitsFor: m.waitsFor, deadline: m.deadline, status: m.status }))).toEqual([
      {
        steps: [['failures', ['ev-aaaa5fe6db84', 'ev-6a78376de936', 'ev-626a110e47ee', 'ev-29069970183e']], ['takeover', ['ev-260a6e7baadb']], ['cashout', []]],
        waitsFor: ['cashout'], deadline: 1769039658862, status: 'partial',
      },
      {
        steps: [['failures', ['ev-6a78376de936', 'ev-626a110e47ee', 'ev-29069970183e']], ['takeover', ['ev-260a6e7baadb']], ['cashout', []]],
        waitsFor: ['cashout'], deadline: 1769039675417, status: 'partial',
      },
      { steps: [['failures', ['ev-626a110e47ee', 'ev-29069970183e']], ['takeover', []], ['cashout', []]], waitsFor: ['failures'], deadline: 1769039739451, status: 'partial' },
      { steps: [['failures', ['ev-29069970183e']], ['takeover', []], ['cashout', []]], waitsFor: ['failures'], deadline: 1769039766053, status: 'partial' },
    ]);
  });

  it('answers 404 with a code for an unknown rule, and 503 where the runner cannot answer', async () => {
    expect(await get('/api/v1/rules/nope/keys/AC1')).toEqual({ status: 404, body: { error: { code: 'CEP_ERR_API_RULE_NOT_FOUND', message: 'no rule nope' } } });
    expect(await get('/api/v1/rules/brute-force/keys/AC1', bare)).toEqual({
      status: 503, body: { error: { code: 'CEP_ERR_STATE_UNAVAILABLE', message: 'this runner does not answer state queries; cepheus explain answers them from an event file' } },
    });
  });
});

describe('GET /api/v1/keys/:key/context/:contextId', () => {
  it("returns the key's context as alerts snapshot it, its initial value for a key never seen, 404 for an unknown context", async () => {
    expect(await get('/api/v1/keys/AC8514803/context/account')).toEqual({
      status: 200,
      body: {
        contextId: 'account', keySpace: 'account', key: 'AC8514803', lastSeen: 1769038111591,
        value: { knownDevices: ['dev-ff8df332fdc23b7e', 'dev-1a9147a834d0686e'], countries: ['ES', 'RO'], lastLoginTs: 1769038111591, lastActivityTs: 1769038111591, tradeCount: 0, ewmaNotional: 0 },
      },
    });
    expect(await get('/api/v1/keys/NOBODY/context/account')).toEqual({
      status: 200,
      body: { contextId: 'account', keySpace: 'account', key: 'NOBODY', lastSeen: null, value: { knownDevices: [], countries: [], lastLoginTs: null, lastActivityTs: null, tradeCount: 0, ewmaNotional: 0 } },
    });
    expect(await get('/api/v1/keys/AC1/context/nope')).toEqual({ status: 404, body: { error: { code: 'CEP_ERR_API_CONTEXT_NOT_FOUND', message: "no loaded rule uses a context 'nope'" } } });
  });
});

describe('GET /api/v1/alerts/:id/explain', () => {
  it("gives the rule's source, each event with the predicate that let it in and what it read, for a sequence", async () => {
    const a = alerts.find((x) => x.ruleId === 'impossible-travel' && x.key === 'AC4854745') as Alert;
    const { status, body } = await get(`/api/v1/alerts/${a.id}/explain`);
    expect({ status, body: { ...(body as Record<string, unknown>), timeline: undefined } }).toEqual({
      status: 200,
      body: {
        source: 'rules/impossible-travel.ts:6', alertId: a.id, ruleId: 'impossible-travel', ruleVersion: 1, key: 'AC4854745', context: null, decision: null,
        reproduced: true, note: null, timeline: undefined,
        steps: [
          { step: 'from', events: [{ id: 'ev-9c45ad918983', kind: 'login', ts: a.firstEventTime, checks: [{ label: 'from', result: true, reads: [{ path: 'e.success', value: true }] }] }] },
          {
            step: 'to',
            events: [{
              id: 'ev-add0f5ef4c88', kind: 'login', ts: a.lastEventTime,
              checks: [{ label: 'to', result: true, reads: [{ path: 'e.success', value: true }, { path: 'm.from.country', value: 'NL' }, { path: 'e.country', value: 'IN' }] }],
            }],
          },
        ],
      },
    });
  });

  it('gives the aggregates and the condition at decision time for a threshold, and 404 for an unknown alert', async () => {
    const a = alerts.find((x) => x.ruleId === 'structuring' && x.key === 'AC0131077') as Alert;
    const { body } = await get(`/api/v1/alerts/${a.id}/explain`);
    const b = body as { reproduced: boolean; decision: unknown; steps: { events: { id: string; checks: unknown[] }[] }[] };
    expect({ reproduced: b.reproduced, decision: b.decision, checks: b.steps[0]?.events.map((e) => [e.id, e.checks]) }).toEqual({
      reproduced: true,
      decision: { aggregates: a.aggregates, checks: [{ label: 'when', result: true, reads: [{ path: 'a.transfers', value: 3 }] }] },
      checks: a.matched[0]?.events.map((m) => [m.event.id, [{ label: 'where', result: true, reads: [{ path: 'e.direction', value: 'OUT' }, { path: 'e.amount', value: (m.event as { amount: number }).amount }] }]]),
    });
    expect(await get('/api/v1/alerts/al_00000000000000000000000000000000/explain')).toEqual({ status: 404, body: { error: { code: 'CEP_ERR_STORE_ALERT_NOT_FOUND', message: 'no alert al_00000000000000000000000000000000' } } });
  });
});
