// The live state routes of `cepheus run` against a real broker: a known prefix of the fixture
// is produced into one single-partition topic (the stream `cepheus explain` reads), the
// service consumes it until idle (which flushes, as explain does at the end of its input),
// and every key's state, context and recent late events it serves equal what explain says for
// the same prefix; an alert it raised is explained with the inputs of each predicate. Its /mcp
// serves the demo's tools from the same state: a key's live state and an alert explained as
// the REST routes give them, and explain_key over the fixture on the service's worker thread.
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Alert } from '../../src/core/alert.ts';
import { createEngine } from '../../src/core/engine/index.ts';
import { explainAlert } from '../../src/core/explain/alert.ts';
import { explain } from '../../src/core/explain/explain.ts';
import type { ContextView } from '../../src/core/state-view.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import type { AlertExplanationReport, KeyStateReport } from '../../src/http/state-query.ts';
import { alertExplanationView, contextView, keyStateView } from '../../src/mcp/state-views.ts';
import { loadRules } from '../../src/rules/load-rules.ts';
import { createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';
import { freePort, killAll, startService, writeConfig } from './support/service.ts';

afterAll(() => killAll());

/** Up to just before account-takeover/positive-1's cash-out (its partial matches are held); four late events. */
const PREFIX = 15_501;
const OPTIONS = { outOfOrdernessMs: 5000 };
const KEYS = [
  ['account-takeover', 'AC8514803'], ['impossible-travel', 'AC9081373'], ['brute-force', 'AC7409475'], ['structuring', 'AC5848825'],
  ['credential-stuffing', '91.218.248.243'], ['spoofing', 'AC2230485|FR13BOT4T6D3'], ['wash-trading', 'FR90GCSW3AW7'],
] as const;

describe.skipIf(!kafkaAvailable())('the service\'s state routes', () => {
  it('serve, for a prefix of the input, what explain says for the same prefix, over REST and MCP', async () => {
    const fixture: AnyEvent[] = [];
    for await (const e of readEventsStrict('fixtures/default.avro')) fixture.push(e);
    const events = fixture.slice(0, PREFIX);
    const rules = (await loadRules()).map((l) => l.rule);
    const k = kafka();
    const topic = uniqueTopic('state-in');
    const group = uniqueTopic('state');
    const admin = k.admin();
    await admin.connect();
    await createTopics(admin, [topic], 1);
    await admin.disconnect();
    await produceEvents(events, {
      kafka: k, resolver: new SchemaResolver(registry(), pino({ level: 'silent' })),
      topics: [{ topic, kinds: [...EVENT_KINDS], format: 'confluent' as const, schemaId: 0 }],
    });
    const port = await freePort();
    const svc = startService(writeConfig({
      group, topics: Object.fromEntries(EVENT_KINDS.map((kind) => [kind, topic])), port,
      output: { alerts: `${group}.alerts`, deadLetter: `${group}.dlq`, state: `${group}.state` },
    }), 'service-state');
    await svc.waitFor(/"msg":"REST API listening"/);
    await svc.waitFor(/input idle: flushed/, 90_000);
    await new Promise((r) => setTimeout(r, 2500)); // the store feed catches up with the alerts topic
    const get = async (path: string): Promise<unknown> => (await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: 'Bearer test-read-token' } })).json();

    const states = await Promise.all(KEYS.map(([ruleId, key]) => get(`/api/v1/rules/${ruleId}/keys/${encodeURIComponent(key)}`)));
    const context = await get('/api/v1/keys/AC8514803/context/account');
    const listed = (await get('/api/v1/alerts?rule=impossible-travel&limit=500')) as { items: { id: string }[] };
    const alert = (await get(`/api/v1/alerts/${listed.items[0]?.id ?? ''}`)) as Alert;
    const explained = (await get(`/api/v1/alerts/${alert.id}/explain`)) as Record<string, unknown>;
    const mcp = new Client({ name: 'service-state', version: '1' });
    await mcp.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: 'Bearer test-read-token' } } }));
    const tools = (await mcp.listTools()).tools.map((t) => t.name);
    const call = async (name: string, args: Record<string, unknown>) => (await mcp.callTool({ name, arguments: args })).structuredContent as Record<string, unknown>;
    const keyContext = await call('get_key_context', { key: 'AC8514803', ruleId: 'account-takeover', contextId: 'account', limit: 1 });
    const alertExplained = await call('explain_alert', { id: alert.id });
    const whyNot = (await call('explain_key', { rule: 'wash-trading', key: 'FR90GCSW3AW7', expect: ['ev-70be31ce425d', 'ev-de308142a8ca'] }))['verdict'];
    await mcp.close();
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });

    // The same prefix through one engine: its late events, by the account they belong to.
    const engine = createEngine(rules, OPTIONS);
    const late: { event: AnyEvent; watermark: number }[] = [];
    for (const e of events) {
      engine.push(e);
      for (const f of engine.drain()) if (f.kind === 'late') late.push({ event: f.event, watermark: f.watermark });
    }
    engine.flush();
    expect(late.map((l) => l.event.id)).toEqual(['ev-c4e53d8d07d0', 'ev-cd054edb8449', 'ev-0ab81136d76a', 'ev-3352b36107f0']);
    expect(states).toEqual(KEYS.map(([ruleId, key]) => ({
      ...explain(rules, events, { ruleId, key, engine: OPTIONS }).state,
      recent: { late: late.filter((l) => l.event.account === key), overflow: [] },
    })));
    expect(context).toEqual(engine.keyContext('AC8514803', 'account'));
    const { alertId, steps, decision, reproduced, note } = explainAlert(rules, { ...alert, matched: alert.matched.map((m) => ({ ...m, events: m.events.map((e) => ({ ...e, source: null })) })) }, events, OPTIONS);
    expect({ ...explained, timeline: undefined }).toEqual({
      source: 'rules/impossible-travel.ts:6', alertId, ruleId: alert.ruleId, ruleVersion: alert.ruleVersion, key: alert.key, context: alert.context,
      steps, decision, reproduced, note, timeline: undefined,
    });
    expect(reproduced).toBe(true);

    // MCP: the demo's tools, answering from the state the REST routes read.
    expect(tools).toEqual(['search_alerts', 'get_alert', 'set_alert_status', 'list_rules', 'describe_rule', 'get_key_context', 'explain_alert', 'explain_key', 'run_backtest']);
    expect(keyContext['liveState']).toEqual({ status: 'live', keyState: keyStateView(states[0] as KeyStateReport), context: contextView(context as ContextView) });
    expect(alertExplained).toEqual(alertExplanationView(explained as unknown as AlertExplanationReport));
    expect(whyNot).toEqual({
      reason: 'not-taken',
      untrusted: {
        answer: 'ev-de308142a8ca (trade at 2026-02-03T12:20:18.765Z) did not extend #1 (leg1 ev-70be31ce425d), which waited for leg2: leg2 was false (it read e.side = "SELL", m.leg1.side = "BUY", e.qty = 2700, m.leg1.qty = 2200).',
        read: ['ev-70be31ce425d', 'ev-de308142a8ca'], unread: [],
        evidence: explain(rules, fixture, { ruleId: 'wash-trading', key: 'FR90GCSW3AW7', engine: OPTIONS }).timeline.filter((e) => e.event?.id === 'ev-70be31ce425d' || e.event?.id === 'ev-de308142a8ca'),
      },
    });
  }, 180_000);
});
