// Shadow mode against the real broker: a candidate version of a rule (a changed threshold) runs
// beside the live one from a boundary, its alerts only in the shadow topic and table.
//
// One service consumes part 1 of the input, then transfer-burst v1 is deployed (boundary B0)
// and v2 (threshold 3 instead of 2) started in shadow (B1); the service is killed (SIGKILL) and
// restarted: the shadow goes on from the control topic. After part 2, the shadow diff must be
// what replays of both versions over the events from the boundary say (whole lists, ids).
// Then v2 is promoted (P): from P on the alerts topic carries v2's alerts, computed with the
// candidate's state (a replay of v2 from B1). Part 3; then v3 in shadow, discarded: its engine
// and state are gone. Every step is in the audit with the actor and the bundle hashes.
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { Alert } from '../../src/core/alert.ts';
import type { ChangeRecord } from '../../src/core/control-log.ts';
import { diffAlertOf, shadowDiff } from '../../src/core/shadow.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import type { ShadowReport } from '../../src/http/rule-control.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { replay } from '../../src/replay/replay.ts';
import { bundleFromSpecs } from '../../src/rules/bundle.ts';
import { loadRules } from '../../src/rules/load-rules.ts';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';
import { STARTED, freePort, killAll, readTopic, sleep, startService, writeConfig } from './support/service.ts';
import type { ServiceProcess } from './support/service.ts';

afterAll(() => killAll());

const IDLE = /input idle: flushed/;
const ADMIN = 'Bearer test-admin-token';
const READ = 'Bearer test-read-token';
const RULE = 'transfer-burst';

async function produce(events: readonly AnyEvent[], topic: string): Promise<void> {
  await produceEvents(events, { kafka: kafka(), resolver: new SchemaResolver(registry(), pino({ level: 'silent' })), topics: [{ topic, kinds: EVENT_KINDS, format: 'confluent', schemaId: 0 }] });
}

async function waitCount(svc: ServiceProcess, re: RegExp, n: number, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  while (svc.lines.filter((l) => re.test(l)).length < n) {
    if (Date.now() > until) throw new Error(`fewer than ${n} lines matching ${re}; last lines:\n${svc.lines.slice(-15).join('\n')}`);
    await sleep(50);
  }
}

async function call(port: number, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = { authorization: method === 'GET' ? READ : ADMIN, ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

/** Polls until `f` gives a value `done` accepts (the store and the rule list follow their topics and the shards a moment later). */
async function until<T>(f: () => Promise<T>, done: (t: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const t = await f();
    if (done(t) || Date.now() > end) return t;
    await sleep(250);
  }
}

async function replayed(file: string, events: readonly AnyEvent[], from: number): Promise<Alert[]> {
  const out: Alert[] = [];
  await replay(events.filter((e) => e.ts >= from).map((event) => ({ event })), {
    rules: (await loadRules([file])).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 }, onAlert: (a) => out.push(a),
  });
  return byId(out);
}

const BASE = bundleFromSpecs([]).files;
const V1 = bundleFromSpecs(['test/rules/bundles/transfer-burst.ts']).files;
const V2 = 'test/rules/bundles/transfer-burst-v2.ts';
const V3 = 'test/rules/bundles/transfer-burst-v3.ts';

describe.skipIf(!kafkaAvailable())('shadow mode', () => {
  it('a changed threshold in shadow: diff = replays of both versions, kept across SIGKILL; promote keeps the candidate state; discard frees it', async () => {
    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('shadow');
    const topic = `${prefix}.events`;
    const admin = k.admin();
    await admin.connect();
    await createTopics(admin, [topic], 1);
    await admin.disconnect();
    const topics = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, topic]));
    const events: AnyEvent[] = [...generate({ seed: 21, events: 15_000, accounts: 150, positives: 3 }).events];
    const sorted = [...events.map((e) => e.ts)].sort((a, b) => a - b);
    const T1 = sorted[Math.floor(events.length * 0.3)] as number;
    const T2 = sorted[Math.floor(events.length * 0.65)] as number;
    const out = { alerts: `${prefix}.alerts`, deadLetter: `${prefix}.dlq`, state: `${prefix}.state` };
    const port = await freePort();
    const config = writeConfig({ group: `${prefix}.g`, topics, output: out, port, extra: { workers: 2, rules: { modules: [], cacheDir: '.run/bundles-test' } } });

    await produce(events.filter((e) => e.ts < T1), topic);
    const svc = startService(config, 'shadow-1');
    await svc.waitFor(IDLE, 120_000);
    const deployed = await call(port, 'POST', '/api/v1/rule-bundles', { files: { ...BASE, ...V1 }, comment: 'transfer-burst v1' });
    expect(deployed.status).toBe(201);
    const B0 = (deployed.body['change'] as ChangeRecord).at as number;

    // Refused with nothing changed: nothing differs from the live set, two rules differ, no shadow to promote.
    const refused = async (path: string, body: unknown): Promise<[number, string | undefined]> => {
      const r = await call(port, 'POST', path, body);
      return [r.status, (r.body['error'] as { code: string } | undefined)?.code];
    };
    expect(await refused('/api/v1/rule-shadows', { files: { ...BASE, ...V1 } })).toEqual([400, 'CEP_ERR_SHADOW_RULES']);
    expect(await refused('/api/v1/rule-shadows', { files: { ...bundleFromSpecs([V2]).files, ...bundleFromSpecs(['test/rules/every-strategy.ts']).files } })).toEqual([400, 'CEP_ERR_SHADOW_RULES']);
    expect(await refused(`/api/v1/rules/${RULE}/shadow/promote`, {})).toEqual([404, 'CEP_ERR_SHADOW_NOT_FOUND']);
    expect((await call(port, 'GET', `/api/v1/rules/${RULE}/shadow`)).status).toBe(404);

    const started = await call(port, 'POST', '/api/v1/rule-shadows', { files: bundleFromSpecs([V2]).files, comment: 'threshold 3' });
    expect(started.status).toBe(201);
    const shadowChange = started.body['change'] as ChangeRecord;
    expect([shadowChange.seq, shadowChange.action, shadowChange.rule, started.body['candidate'], started.body['live']]).toEqual([3, 'shadow', RULE, { id: RULE, version: 2 }, { id: RULE, version: 1 }]);
    const B1 = shadowChange.at as number;
    svc.child.kill('SIGKILL');
    expect((await svc.exited).signal).toBe('SIGKILL');

    const again = startService(config, 'shadow-2');
    await again.waitFor(STARTED, 60_000);
    await produce(events.filter((e) => e.ts >= T1 && e.ts < T2), topic);
    await waitCount(again, IDLE, 1);

    // The diff: what replays of both versions over the events from the boundary say.
    const v1 = await replayed('test/rules/bundles/transfer-burst.ts', events, B0);
    const v2 = await replayed(V2, events, B1);
    const upTo = (xs: readonly Alert[], t: number): Alert[] => xs.filter((a) => a.detectedAtEventTime < t);
    const part2 = (xs: readonly Alert[]): Alert[] => upTo(xs, T2);
    const expected = shadowDiff(part2(v1).filter((a) => a.detectedAtEventTime >= B1).map(diffAlertOf), part2(v2).map(diffAlertOf));
    expect([expected.onlyLive.length > 0, expected.both.length > 0]).toEqual([true, true]);
    const report = (await until(() => call(port, 'GET', `/api/v1/rules/${RULE}/shadow`), (r) => {
      const c = (r.body as unknown as ShadowReport).counts;
      return c !== undefined && c.live === expected.onlyLive.length + expected.both.length && c.shadow === expected.onlyShadow.length + expected.both.length;
    })).body as unknown as ShadowReport;
    expect([report.shadow.rule, report.shadow.version, report.shadow.seq, report.shadow.at, report.live]).toEqual([RULE, 2, 3, B1, { id: RULE, version: 1 }]);
    expect({ onlyLive: report.onlyLive, onlyShadow: report.onlyShadow, both: report.both }).toEqual(expected);
    expect(report.state?.stateKeys).toBeGreaterThan(0);

    const promoted = await call(port, 'POST', `/api/v1/rules/${RULE}/shadow/promote`, { comment: 'threshold 3 it is' });
    expect(promoted.status).toBe(200);
    const P = (promoted.body['change'] as ChangeRecord).at as number;
    await produce(events.filter((e) => e.ts >= T2), topic);
    await waitCount(again, IDLE, 2);

    // v3 in shadow, then discarded: its engine and state go.
    expect((await call(port, 'POST', '/api/v1/rule-shadows', { files: bundleFromSpecs([V3]).files })).status).toBe(201);
    const held = await until(() => call(port, 'GET', '/api/v1/rules'), (r) => (r.body['shadows'] as unknown[]).length === 1);
    expect((held.body['shadows'] as { id: string; version: number }[]).map((s) => `${s.id}@${s.version}`)).toEqual([`${RULE}@3`]);
    const discarded = await call(port, 'POST', `/api/v1/rules/${RULE}/shadow/discard`, {});
    expect([discarded.status, (discarded.body['change'] as ChangeRecord).action]).toEqual([200, 'discard']);
    expect((await call(port, 'GET', `/api/v1/rules/${RULE}/shadow`)).body['error']).toMatchObject({ code: 'CEP_ERR_SHADOW_NOT_FOUND' });
    const freed = await until(() => call(port, 'GET', '/api/v1/rules'), (r) => (r.body['shadows'] as unknown[]).length === 0);
    expect(freed.body['shadows']).toEqual([]);
    // Newest first.
    const audit = ((await call(port, 'GET', '/api/v1/audit')).body['items'] as { action: string; target: string; before: { bundle: string | null }; after: { bundle: string | null } }[]).reverse();
    const v1Hash = (deployed.body['change'] as ChangeRecord).after;
    expect(audit.map((e) => [e.action, e.target, e.before.bundle, e.after.bundle])).toEqual([
      ['rules.deploy', 'bundle v2', (deployed.body['change'] as ChangeRecord).before, v1Hash],
      ['rules.shadow', `rule ${RULE}`, v1Hash, bundleFromSpecs([V2]).hash],
      ['rules.promote', `rule ${RULE}`, v1Hash, bundleFromSpecs([V2]).hash],
      ['rules.shadow', `rule ${RULE}`, bundleFromSpecs([V2]).hash, bundleFromSpecs([V3]).hash],
      ['rules.discard', `rule ${RULE}`, bundleFromSpecs([V3]).hash, bundleFromSpecs([V2]).hash],
    ]);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });

    // The alerts topic: v1 before P, then v2 with the state it built in shadow since B1; the
    // shadow topic: v2 before P (and v3's, for as long as it ran). None twice.
    const alerts = byId((await decodeAlerts(reg, await readTopic(k, out.alerts))).map(withoutSources));
    const shadowed = byId((await decodeAlerts(reg, await readTopic(k, `${out.alerts}.shadow`))).map(withoutSources));
    expect(alerts.map((a) => a.id)).toEqual([...new Set(alerts.map((a) => a.id))]);
    expect(shadowed.map((a) => a.id)).toEqual([...new Set(shadowed.map((a) => a.id))]);
    expect(alerts.filter((a) => a.ruleId === RULE)).toEqual(byId([...upTo(v1, P), ...v2.filter((a) => a.detectedAtEventTime >= P)]));
    expect(v2.filter((a) => a.detectedAtEventTime >= P).length).toBeGreaterThan(0);
    expect(shadowed.filter((a) => a.ruleVersion === 2)).toEqual(upTo(v2, P));
  }, 400_000);
});
