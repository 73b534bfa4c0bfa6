// Live state and explanations through MCP, as the demo serves them (its StateQuery over one
// engine, here fed a prefix of the fixture so partial matches and windows are held): a key's
// state and a context in get_key_context, a runner that cannot answer (a standby), the
// key-state resource, the triage prompt with the live state attached, explain_alert for a
// sequence and a threshold alert, and explain_key's why-not answer over the fixture. Whole
// results, with event data under `untrusted`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Alert } from '../../../src/core/alert.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import { CepError } from '../../../src/core/errors.ts';
import { explainAlert } from '../../../src/core/explain/alert.ts';
import { explain } from '../../../src/core/explain/explain.ts';
import { whyNot } from '../../../src/core/explain/expect.ts';
import { DEFAULT_MCP_SETTINGS } from '../../../src/config/mcp-settings.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { engineStateQuery } from '../../../src/explain/engine-state.ts';
import { RecentKeyIssues } from '../../../src/explain/recent.ts';
import { explainOutput } from '../../../src/explain/run-explain.ts';
import type { Identity } from '../../../src/http/auth.ts';
import type { StateQuery } from '../../../src/http/state-query.ts';
import { readEvents } from '../../../src/io/read-events.ts';
import { createMcpContext } from '../../../src/mcp/context.ts';
import { createMcpServer } from '../../../src/mcp/server.ts';
import { keyStateView } from '../../../src/mcp/state-views.ts';
import { DATA_NOTICE } from '../../../src/mcp/views.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import type { LoadedRule } from '../../../src/rules/load-rules.ts';
import { AlertBus } from '../../../src/store/alert-bus.ts';
import { AlertStore } from '../../../src/store/alert-store.ts';

const READER: Identity = { name: 'rita', scope: 'read', tokenId: 'r000000000000000' };
const OPTIONS = { outOfOrdernessMs: 5000 };
/** Up to just before account-takeover/positive-1's cash-out: its partial matches are held. */
const PREFIX = 15_501;
const LARGE_TRADE = 'al_0cc36877548ef2265b2fca82fc7805bb';
const STANDBY = 'this instance holds no partitions (standby, restoring or stopped); ask the instance that does';

let modules: LoadedRule[];
let store: AlertStore;
let state: StateQuery;
const events: AnyEvent[] = [];
const alerts: Alert[] = [];
const byId = new Map<string, AnyEvent>();

beforeAll(async () => {
  modules = await loadRules();
  const rules = modules.map((l) => l.rule);
  for await (const item of readEvents('fixtures/default.avro')) if ('event' in item) events.push(item.event);
  for (const e of events) byId.set(e.id, e);
  const full = createEngine(rules, OPTIONS);
  for (const e of events) full.push(e);
  full.flush();
  for (const f of full.drain()) if (f.kind === 'alert') alerts.push(f.alert);
  store = new AlertStore(':memory:');
  store.insertAll(alerts, Date.UTC(2026, 11, 1));
  // The demo's runner, stopped PREFIX events into the fixture.
  const engine = createEngine(rules, OPTIONS);
  const recent = new RecentKeyIssues(rules);
  for (const e of events.slice(0, PREFIX)) {
    engine.push(e);
    for (const f of engine.drain()) if (f.kind !== 'alert') recent.record(f, engine.watermark);
  }
  state = engineStateQuery({ engine, loaded: modules, recent, history: () => events, engineOptions: OPTIONS });
});
afterAll(() => store.close());

async function connect(query: StateQuery | undefined): Promise<Client> {
  const rules = createEngine(modules.map((l) => l.rule));
  const ctx = createMcpContext({
    store, bus: new AlertBus(), latency: undefined, ruleModules: modules, state: query, engine: OPTIONS, now: () => 0, settings: DEFAULT_MCP_SETTINGS,
    rules: { list: () => rules.rules(), setEnabled: () => true },
  });
  const { server } = createMcpServer(ctx, READER);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(b);
  return client;
}

const structured = (r: unknown) => (r as { structuredContent: Record<string, unknown> }).structuredContent;
const text = (r: unknown): string | undefined => ((r as { content: { text: string }[] }).content[0])?.text;
const steps = (...s: [string, string[]][]) => s.map(([step, ids]) => ({ step, events: ids.map((id) => byId.get(id)) }));
const ACCOUNT_CONTEXT = {
  knownDevices: ['dev-ff8df332fdc23b7e', 'dev-1a9147a834d0686e'], countries: ['ES', 'RO'], lastLoginTs: 1769038111591, lastActivityTs: 1769038111591, tradeCount: 0, ewmaNotional: 0,
};
const FAILURES = ['ev-aaaa5fe6db84', 'ev-6a78376de936', 'ev-626a110e47ee', 'ev-29069970183e'];

describe('get_key_context', () => {
  it("gives a key's partial matches (steps waited for, deadlines), its context and a context by id", async () => {
    const client = await connect(state);
    const r = structured(await client.callTool({ name: 'get_key_context', arguments: { key: 'AC8514803', ruleId: 'account-takeover', contextId: 'account', limit: 1 } }));
    const match = (from: number, takeover: boolean, deadline: string) => ({
      status: 'partial', waitsFor: [takeover ? 'cashout' : 'failures'], deadline, blocked: false,
      untrusted: { steps: steps(['failures', FAILURES.slice(from)], ['takeover', takeover ? ['ev-260a6e7baadb'] : []], ['cashout', []]) },
    });
    expect(r['liveState']).toEqual({
      status: 'live',
      keyState: {
        ruleId: 'account-takeover', ruleVersion: 1, keySpace: 'account', watermark: '2026-01-21T23:34:50.132Z', lastSeen: '2026-01-21T23:28:31.591Z',
        state: {
          kind: 'sequence',
          partialMatches: [
            match(0, true, '2026-01-21T23:54:18.862Z'), match(1, true, '2026-01-21T23:54:35.417Z'),
            match(2, false, '2026-01-21T23:55:39.451Z'), match(3, false, '2026-01-21T23:56:06.053Z'),
          ],
        },
        recent: { late: [], overflow: [] },
        untrusted: { key: 'AC8514803', context: ACCOUNT_CONTEXT },
      },
      context: { contextId: 'account', keySpace: 'account', lastSeen: '2026-01-21T23:28:31.591Z', untrusted: { key: 'AC8514803', value: ACCOUNT_CONTEXT } },
    });
    await client.close();
  });

  it("gives a threshold's open windows with their aggregates, and the key's recent late events", async () => {
    const client = await connect(state);
    const live = async (ruleId: string, key: string) => structured(await client.callTool({ name: 'get_key_context', arguments: { key, ruleId } }))['liveState'];
    expect(await live('credential-stuffing', '91.218.248.243')).toEqual({
      status: 'live', context: null,
      keyState: {
        ruleId: 'credential-stuffing', ruleVersion: 1, keySpace: 'ip', watermark: '2026-01-21T23:34:50.132Z', lastSeen: '2026-01-21T23:28:31.591Z',
        state: { kind: 'threshold', windows: [{ start: '2026-01-21T23:11:06.054Z', end: '2026-01-21T23:26:06.054Z', aggregates: { accounts: 1, attempts: 4 }, untrusted: { events: FAILURES.map((id) => byId.get(id)) } }] },
        recent: { late: [], overflow: [] },
        untrusted: { key: '91.218.248.243', context: null },
      },
    });
    expect(await live('brute-force', 'AC7409475')).toEqual({
      status: 'live', context: null,
      keyState: {
        ruleId: 'brute-force', ruleVersion: 1, keySpace: 'account', watermark: '2026-01-21T23:34:50.132Z', lastSeen: '2026-01-21T16:29:01.436Z',
        state: { kind: 'threshold', windows: [] },
        recent: { late: [{ watermark: '2026-01-06T16:04:54.800Z', untrusted: { event: byId.get('ev-c4e53d8d07d0') } }], overflow: [] },
        untrusted: { key: 'AC7409475', context: null },
      },
    });
    await client.close();
  });

  it('says the runner cannot answer (a standby) next to the alerts, and refuses unknown rule and context ids either way', async () => {
    const unavailable = (): Promise<never> => Promise.reject(new CepError('CEP_ERR_STATE_UNAVAILABLE', STANDBY));
    const client = await connect({ keyState: unavailable, context: unavailable, explainAlert: unavailable });
    const large = alerts.find((a) => a.id === LARGE_TRADE) as Alert;
    const r = structured(await client.callTool({ name: 'get_key_context', arguments: { key: 'AC6436254', ruleId: 'large-trade', contextId: 'account' } }));
    expect([r['liveState'], (r['alerts'] as { id: string }[]).map((a) => a.id), (r['latestContext'] as { alertId: string }).alertId]).toEqual([
      { status: 'unavailable', code: 'CEP_ERR_STATE_UNAVAILABLE', reason: STANDBY }, [large.id], large.id,
    ]);
    expect([
      text(await client.callTool({ name: 'get_key_context', arguments: { key: 'AC6436254', ruleId: 'no-such-rule' } })),
      text(await client.callTool({ name: 'get_key_context', arguments: { key: 'AC6436254', contextId: 'device' } })),
      text(await client.callTool({ name: 'explain_alert', arguments: { id: LARGE_TRADE } })),
    ]).toEqual([
      'CEP_ERR_API_RULE_NOT_FOUND: no rule no-such-rule; list_rules names the rules loaded',
      "CEP_ERR_API_CONTEXT_NOT_FOUND: no loaded rule uses a context 'device'",
      `CEP_ERR_STATE_UNAVAILABLE: ${STANDBY}`,
    ]);
    await client.close();
  });
});

describe('the key-state resource and the triage prompt', () => {
  it('reads a key state by URI and attaches it to the triage prompt, as get_key_context gives it', async () => {
    const client = await connect(state);
    const tool = structured(await client.callTool({ name: 'get_key_context', arguments: { key: 'AC6436254', ruleId: 'large-trade' } }));
    const keyState = { notice: DATA_NOTICE, ...(tool['liveState'] as { keyState: object }).keyState };
    const read = await client.readResource({ uri: 'cepheus://rules/large-trade/keys/AC6436254' });
    expect(read.contents).toEqual([{ uri: 'cepheus://rules/large-trade/keys/AC6436254', mimeType: 'application/json', text: JSON.stringify(keyState) }]);
    const p = await client.getPrompt({ name: 'triage_alert', arguments: { alertId: LARGE_TRADE } });
    expect(p.messages.map((m) => (m.content.type === 'resource' ? m.content.resource.uri : m.content.type))).toEqual([
      'text', `cepheus://alerts/${LARGE_TRADE}`, 'cepheus://rules/large-trade', 'cepheus://alerts?key=AC6436254&limit=20', 'cepheus://rules/large-trade/keys/AC6436254',
    ]);
    expect(JSON.parse((p.messages[4]?.content as { resource: { text: string } }).resource.text)).toEqual(keyState);
    expect((p.messages[0]?.content as { text: string }).text.split('\n')[2]).toBe(
      "Attached: (1) the alert's evidence: every matched event by step with its source, the key's context at decision time, aggregates and status history; (2) what rule large-trade looks for; " +
        "(3) the key's other recent alerts (0); (4) the key's live state in large-trade now: partial matches or windows still open (what may fire next), its context, recent late events.",
    );
    await expect(client.readResource({ uri: 'cepheus://rules/large-trade/keys/a/b' })).rejects.toThrow('MCP error -32602: CEP_ERR_MCP_RESOURCE_URI: cepheus://rules/large-trade/keys/a/b: unknown resource');
    await client.close();
  });
});

describe('explain_alert', () => {
  it('explains a sequence alert: each event with the predicate that let it in and what it read', async () => {
    const client = await connect(state);
    const alert = alerts.find((a) => a.id === LARGE_TRADE) as Alert;
    const reference = explainAlert(modules.map((l) => l.rule), alert, events, OPTIONS);
    expect(structured(await client.callTool({ name: 'explain_alert', arguments: { id: LARGE_TRADE } }))).toEqual({
      notice: DATA_NOTICE, alertId: LARGE_TRADE, ruleId: 'large-trade', ruleVersion: 1, source: 'rules/large-trade.ts:6', reproduced: true, note: null,
      untrusted: {
        key: 'AC6436254',
        steps: [{
          step: 'trade',
          events: [{
            id: 'ev-84f3e7dd8093', kind: 'trade', ts: 1768473009023,
            checks: [{ label: 'trade', result: true, reads: [{ path: 'ctx.tradeCount', value: 25 }, { path: 'e.notional', value: 64531.08 }, { path: 'ctx.ewmaNotional', value: 3597.1822384390125 }] }],
          }],
        }],
        decision: null,
        context: { knownDevices: [], countries: [], lastLoginTs: null, lastActivityTs: 1768406229108, tradeCount: 25, ewmaNotional: 3597.1822384390125 },
        timeline: reference.timeline,
      },
    });
    expect(reference.timeline.map((e) => [e.kind, e.event?.id])).toEqual([['event', 'ev-84f3e7dd8093']]);
    await client.close();
  });

  it('explains a threshold alert with the aggregates and the condition at decision time', async () => {
    const client = await connect(state);
    const alert = alerts.find((a) => a.ruleId === 'brute-force') as Alert;
    const reference = explainAlert(modules.map((l) => l.rule), alert, events, OPTIONS);
    const where = { label: 'where', result: true, reads: [{ path: 'e.success', value: false }] };
    expect(structured(await client.callTool({ name: 'explain_alert', arguments: { id: alert.id } }))).toEqual({
      notice: DATA_NOTICE, alertId: alert.id, ruleId: 'brute-force', ruleVersion: 1, source: 'rules/brute-force.ts:6', reproduced: true, note: null,
      untrusted: {
        key: alert.key,
        steps: alert.matched.map((s) => ({ step: s.step, events: s.events.map(({ event: e }) => ({ id: e.id, kind: e.kind, ts: e.ts, checks: [where] })) })),
        decision: { aggregates: { failures: 8, ips: 2 }, checks: [{ label: 'when', result: true, reads: [{ path: 'a.failures', value: 8 }] }] },
        context: null,
        timeline: reference.timeline,
      },
    });
    expect(alert.matched.map((s) => [s.step, s.events.length])).toEqual([['window', 8]]);
    expect(text(await client.callTool({ name: 'explain_alert', arguments: { id: `al_${'0'.repeat(32)}` } }))).toBe(`CEP_ERR_STORE_ALERT_NOT_FOUND: no alert al_${'0'.repeat(32)}`);
    await client.close();
  });
});

describe('explain_key', () => {
  it('answers why given events raised no alert, from the fixture, with the timeline as cepheus explain gives it', async () => {
    const client = await connect(undefined); // from a file: no state query needed
    const ids = ['ev-2fcc0a128523', 'ev-6660f026bd07', 'ev-3f6802754534', 'ev-cad7e3c007c7', 'ev-f7cb25f227a1'];
    const r = structured(await client.callTool({ name: 'explain_key', arguments: { rule: 'account-takeover', key: 'AC0621164', expect: ids } }));
    const rule = modules.find((l) => l.rule.id === 'account-takeover') as LoadedRule;
    const x = explain(modules.map((l) => l.rule), events, { ruleId: 'account-takeover', key: 'AC0621164', engine: OPTIONS });
    const verdict = whyNot(x, ids);
    expect(r).toEqual({
      notice: DATA_NOTICE, file: 'default.avro', ruleId: 'account-takeover', ruleKind: 'sequence', source: 'rules/account-takeover.ts:6',
      rule: ['sequence within 30 min, skip skip-past-last-event', 'steps: failures: login times(3, 20) -> takeover: login -> cashout: transfer'],
      stoppedBy: 'end', recordsRead: 36_000, inputErrors: 0,
      verdict: {
        reason: 'not-taken',
        untrusted: {
          answer: 'ev-cad7e3c007c7 (login at 2026-02-03T02:24:36.136Z) did not extend #1 (failures ev-2fcc0a128523 ev-6660f026bd07 ev-3f6802754534), which waited for failures or takeover: ' +
            'failures was false (it read e.success = true); takeover was false (it read e.success = true, e.device = "dev-ede845b0a66f3590", ctx.knownDevices = ["dev-ede845b0a66f3590"]).',
          read: ids, unread: [],
          evidence: x.timeline.filter((e) => e.event !== null && ids.includes(e.event.id)),
        },
      },
      untrusted: {
        key: 'AC0621164', text: explainOutput({ explanation: x, verdict, rule: rule.rule, source: 'rules/account-takeover.ts:6', inputErrors: 0 }, false),
        timeline: x.timeline, matches: x.matches, state: x.state,
      },
    });
    expect(text(await client.callTool({ name: 'explain_key', arguments: { rule: 'account-takeover', key: 'AC0621164', file: '../package.json' } })))
      .toBe('CEP_ERR_MCP_BACKTEST_FILE: ../package.json: outside the backtest directory fixtures');
    await client.close();
  });
});

describe('keyStateView', () => {
  it("shows a correlation's candidates under untrusted", () => {
    const e = byId.get('ev-c4e53d8d07d0') as AnyEvent;
    expect(keyStateView({
      ruleId: 'r', ruleVersion: 2, keySpace: 'ip', key: '1.2.3.4', watermark: null, lastSeen: null, context: null,
      state: { kind: 'correlation', roles: [{ role: 'probe', candidates: [e] }, { role: 'hit', candidates: [] }] },
      recent: { late: [], overflow: [{ ruleId: 'r', dropped: 3, watermark: null }] },
    })).toEqual({
      ruleId: 'r', ruleVersion: 2, keySpace: 'ip', watermark: null, lastSeen: null,
      state: { kind: 'correlation', roles: [{ role: 'probe', untrusted: { candidates: [e] } }, { role: 'hit', untrusted: { candidates: [] } }] },
      recent: { late: [], overflow: [{ ruleId: 'r', dropped: 3, watermark: null }] },
      untrusted: { key: '1.2.3.4', context: null },
    });
  });
});
