// The rule lifecycle against the real broker: rule changes are records of the control topic,
// applied at an event-time boundary and kept across SIGKILL.
//
// One service consumes the first part of the input (events before time T), then: a rule is
// disabled, three bad bundles are refused (a type error, a module that throws at load, an
// invalid rule) with nothing changed, a bundle adding a rule is deployed, and the service is
// killed (SIGKILL) right after. Restarted, it consumes the rest. Its alerts must be those of an
// uninterrupted run without any change for every other rule, those of the disabled rule only
// before its boundary, and those of the new rule exactly a replay's of the events from its
// boundary on.
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alert.ts';
import type { ChangeRecord, RuleSetView } from '../../src/core/control-log.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import { replay } from '../../src/replay/replay.ts';
import { bundleFromSpecs } from '../../src/rules/bundle.ts';
import { loadRules } from '../../src/rules/load-rules.ts';
import { byId, decodeAlerts } from './support/expect.ts';
import { pino } from 'pino';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';
import { STARTED, freePort, killAll, readTopic, sleep, startService, writeConfig } from './support/service.ts';
import type { ServiceProcess } from './support/service.ts';

afterAll(() => killAll());

const IDLE = /input idle: flushed/;
const ADMIN = { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' };
const READ = { authorization: 'Bearer test-read-token' };

/**
 * Every kind on one topic of one partition: one stream, so the partitions' watermarks cannot
 * make events late in one run and not in another (the live run goes idle between the parts of
 * the input, the reference does not).
 */
async function oneTopic(name: string): Promise<Record<string, string>> {
  const admin = kafka().admin();
  await admin.connect();
  await createTopics(admin, [name], 1);
  await admin.disconnect();
  return Object.fromEntries(EVENT_KINDS.map((k) => [k, name]));
}

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

async function call(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers = method === 'GET' ? READ : body === undefined ? { authorization: ADMIN.authorization } : ADMIN;
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const BASE = bundleFromSpecs([]).files;
const NEW_RULE = bundleFromSpecs(['test/rules/bundles/transfer-burst.ts']).files;
const BAD = {
  type: { 'bad.ts': "import { keyBy, minutes, sequence } from 'cepheus';\nconst k = keyBy('account', { transfer: (e) => e.account });\nexport default sequence({ id: 'bad', version: 1, severity: 'low', description: 'x', key: k, within: minutes(5), skip: 'no-skip', pattern: (p) => p.begin('t', 'transfer', (e) => e.device === 'd') });\n" },
  throws: { 'throws.ts': "throw new Error('boom at load');\nexport default [];\n" },
  invalid: { 'invalid.ts': "import { keyBy, minutes, sequence } from 'cepheus';\nconst k = keyBy('account', { transfer: (e) => e.account });\nexport default sequence({ id: 'Not A Valid Id', version: 0, severity: 'low', description: 'x', key: k, within: minutes(5), skip: 'no-skip', pattern: (p) => p.begin('t', 'transfer') });\n" },
};

describe.skipIf(!kafkaAvailable())('rule lifecycle', () => {
  it('disable and deploy while consuming: applied at their boundaries, refused bundles change nothing, all kept across SIGKILL', async () => {
    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('rules');
    const topics = await oneTopic(`${prefix}.events`);
    const events: AnyEvent[] = [...generate({ seed: 11, events: 20_000, accounts: 300, positives: 4 }).events];
    const T = [...events.map((e) => e.ts)].sort((a, b) => a - b)[Math.floor(events.length * 0.6)] as number;
    const outputs = (name: string) => ({ alerts: `${prefix}.${name}.alerts`, deadLetter: `${prefix}.${name}.dlq`, state: `${prefix}.${name}.state` });
    const extra = { workers: 1, rules: { modules: [], cacheDir: `.run/bundles-test` } };

    await produce(events.filter((e) => e.ts < T), `${prefix}.events`);
    const port = await freePort();
    const out = outputs('live');
    const config = writeConfig({ group: `${prefix}.live`, topics, output: out, port, extra });
    const svc = startService(config, 'rules-live');
    await svc.waitFor(IDLE, 120_000);

    expect(await call(port, 'POST', '/api/v1/rules/large-trade/disable')).toEqual({ status: 200, body: { id: 'large-trade', enabled: false } });
    for (const [what, files, code] of [['type', BAD.type, 'CEP_ERR_RULE_TYPE'], ['throws', BAD.throws, 'CEP_ERR_RULE_MODULE'], ['invalid', BAD.invalid, 'CEP_ERR_RULE_INVALID']] as const) {
      const r = await call(port, 'POST', '/api/v1/rule-bundles', { files: { ...BASE, ...files }, comment: what });
      const error = r.body['error'] as { code: string; message: string } | undefined;
      expect([what, r.status, error?.code], error?.message).toEqual([what, 400, code]);
    }
    const before = (await call(port, 'GET', '/api/v1/rule-bundles')).body as { current: RuleSetView; changes: ChangeRecord[] };
    expect(before.changes.map((c) => [c.seq, c.action, c.rule, c.actor])).toEqual([[1, 'deploy', null, 'config'], [2, 'disable', 'large-trade', 'admin-token-' + before.changes[1]?.actor.slice(12)]]);
    const deployed = await call(port, 'POST', '/api/v1/rule-bundles', { files: { ...BASE, ...NEW_RULE }, comment: 'add transfer-burst' });
    expect(deployed.status).toBe(201);
    const change = deployed.body['change'] as ChangeRecord;
    expect([change.seq, change.action, change.version, change.comment]).toEqual([3, 'deploy', 2, 'add transfer-burst']);
    expect(deployed.body['diff']).toMatchObject({ added: [{ id: 'transfer-burst', version: 1 }], removed: [], changed: [] });
    svc.child.kill('SIGKILL');
    expect((await svc.exited).signal).toBe('SIGKILL');
    const B1 = before.changes[1]?.at as number;
    const B2 = change.at as number;
    expect(B2).toBeGreaterThanOrEqual(B1);

    // Restarted: the same rule set from the control topic; then the rest of the input.
    const again = startService(config, 'rules-live-2');
    await again.waitFor(STARTED, 60_000);
    await produce(events.filter((e) => e.ts >= T), `${prefix}.events`);
    await waitCount(again, IDLE, 1);
    const after = (await call(port, 'GET', '/api/v1/rule-bundles')).body as { current: RuleSetView; changes: ChangeRecord[] };
    expect([after.current.seq, after.current.version, after.current.disabled]).toEqual([3, 2, ['large-trade']]);
    const listed = (await call(port, 'GET', '/api/v1/rules')).body['items'] as { id: string; enabled: boolean }[];
    expect(listed.filter((r) => !r.enabled).map((r) => r.id)).toEqual(['large-trade']);
    expect(listed.some((r) => r.id === 'transfer-burst')).toBe(true);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });

    // The reference: the same input, no change, uninterrupted.
    const ref = outputs('ref');
    const refSvc = startService(writeConfig({ group: `${prefix}.ref`, topics, output: ref, port: await freePort(), extra }), 'rules-ref');
    await refSvc.waitFor(IDLE, 120_000);
    refSvc.child.kill('SIGTERM');
    expect(await refSvc.exited).toEqual({ code: 0, signal: null });

    const got: Alert[] = byId(await decodeAlerts(reg, await readTopic(k, out.alerts)));
    const reference: Alert[] = byId(await decodeAlerts(reg, await readTopic(k, ref.alerts)));
    expect(got.map((a) => a.id)).toEqual([...new Set(got.map((a) => a.id))]); // none twice
    const others = (xs: readonly Alert[]): Alert[] => xs.filter((a) => a.ruleId !== 'large-trade' && a.ruleId !== 'transfer-burst');
    expect(others(got)).toEqual(others(reference));
    expect(reference.filter((a) => a.ruleId === 'large-trade' && a.detectedAtEventTime >= B1).length).toBeGreaterThan(0);
    expect(got.filter((a) => a.ruleId === 'large-trade')).toEqual(reference.filter((a) => a.ruleId === 'large-trade' && a.detectedAtEventTime < B1));
    const burst = (await replay(events.filter((e) => e.ts >= B2).map((event) => ({ event })), {
      rules: (await loadRules(['test/rules/bundles/transfer-burst.ts'])).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 },
    })).alertsByRule['transfer-burst'] ?? 0;
    const gotBurst = got.filter((a) => a.ruleId === 'transfer-burst');
    expect(gotBurst.length).toBeGreaterThan(0);
    expect(gotBurst.filter((a) => a.firstEventTime < B2)).toEqual([]);
    expect(gotBurst.length).toBe(burst);
  }, 400_000);

  it('four eyes: a change one admin proposes applies only once another approves it; read tokens change nothing', async () => {
    const prefix = uniqueTopic('rules4e');
    const topic = `${prefix}.events`;
    const topics = await oneTopic(topic);
    await produce([...generate({ seed: 12, events: 3000, accounts: 100, positives: 2 }).events], topic);
    const port = await freePort();
    const tokens = { 'test-read-token': 'read', 'ana-admin-token': { scope: 'admin', name: 'ana' }, 'bo-admin-token': { scope: 'admin', name: 'bo' } };
    const extra = { workers: 1, rules: { modules: [], approvals: 2, cacheDir: '.run/bundles-test' }, api: { host: '127.0.0.1', port, tokens } };
    const svc = startService(writeConfig({ group: `${prefix}.g`, topics, output: { alerts: `${prefix}.alerts`, deadLetter: `${prefix}.dlq`, state: `${prefix}.state` }, port, extra }), 'rules-four-eyes');
    await svc.waitFor(IDLE, 120_000);
    const as = async (token: string, method: string, path: string, body?: unknown): Promise<[number, Record<string, unknown>]> => {
      const r = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return [r.status, (await r.json()) as Record<string, unknown>];
    };
    const codeOf = (r: [number, Record<string, unknown>]): [number, string | undefined] => [r[0], (r[1]['error'] as { code: string } | undefined)?.code];
    const bundle = { files: { ...BASE, ...NEW_RULE }, comment: 'add transfer-burst' };

    expect(codeOf(await as('test-read-token', 'POST', '/api/v1/rule-bundles', bundle))).toEqual([403, 'CEP_ERR_API_FORBIDDEN']);
    expect(codeOf(await as('test-read-token', 'POST', '/api/v1/rules/large-trade/disable'))).toEqual([403, 'CEP_ERR_API_FORBIDDEN']);
    const [status, body] = await as('ana-admin-token', 'POST', '/api/v1/rule-bundles', bundle);
    expect(status).toBe(202);
    const proposal = body['proposal'] as { id: string; proposer: string; status: string; action: string };
    expect([proposal.proposer, proposal.status, proposal.action]).toEqual(['ana', 'pending', 'deploy']);
    expect(codeOf(await as('test-read-token', 'POST', `/api/v1/rule-proposals/${proposal.id}/approve`))).toEqual([403, 'CEP_ERR_API_FORBIDDEN']);
    expect(codeOf(await as('ana-admin-token', 'POST', `/api/v1/rule-proposals/${proposal.id}/approve`))).toEqual([403, 'CEP_ERR_APPROVAL_SELF']);
    expect(((await as('test-read-token', 'GET', '/api/v1/rule-bundles'))[1]['changes'] as unknown[]).length).toBe(1);
    const [ok, approved] = await as('bo-admin-token', 'POST', `/api/v1/rule-proposals/${proposal.id}/approve`);
    const change = approved['change'] as ChangeRecord;
    expect([ok, change.seq, change.action, change.actor, change.approvedBy, change.comment]).toEqual([200, 2, 'deploy', 'ana', 'bo', 'add transfer-burst']);
    expect(codeOf(await as('bo-admin-token', 'POST', `/api/v1/rule-proposals/${proposal.id}/approve`))).toEqual([409, 'CEP_ERR_PROPOSAL_CLOSED']);

    const [s2, off] = await as('bo-admin-token', 'POST', '/api/v1/rules/large-trade/disable');
    expect(s2).toBe(202);
    const offId = (off['proposal'] as { id: string }).id;
    expect((await as('ana-admin-token', 'POST', `/api/v1/rule-proposals/${offId}/reject`))[0]).toBe(200);
    const log = (await as('test-read-token', 'GET', '/api/v1/rule-bundles'))[1] as { current: RuleSetView; changes: ChangeRecord[] };
    expect([log.changes.length, log.current.version, log.current.disabled, log.current.rules.some((r) => r.id === 'transfer-burst')]).toEqual([2, 2, [], true]);
    const audit = ((await as('test-read-token', 'GET', '/api/v1/audit'))[1]['items'] as { actor: string; action: string }[]).map((e) => `${e.action} by ${e.actor}`);
    expect(audit).toEqual(['rules.reject by ana', 'rules.propose by bo', 'rules.deploy by ana', 'rules.propose by ana']);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
  }, 200_000);

  it('SIGKILL in the middle of a deploy: the restart has the change or not, never half; sent again it applies once, alerts none lost or twice', async () => {
    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('rulesmid');
    const topic = `${prefix}.events`;
    const topics = await oneTopic(topic);
    const events: AnyEvent[] = [...generate({ seed: 13, events: 12_000, accounts: 200, positives: 3 }).events];
    const T = [...events.map((e) => e.ts)].sort((a, b) => a - b)[Math.floor(events.length * 0.5)] as number;
    const outputs = (name: string) => ({ alerts: `${prefix}.${name}.alerts`, deadLetter: `${prefix}.${name}.dlq`, state: `${prefix}.${name}.state` });
    const extra = { workers: 1, rules: { modules: [], cacheDir: '.run/bundles-test' } };
    await produce(events.filter((e) => e.ts < T), topic);
    const port = await freePort();
    const out = outputs('live');
    const config = writeConfig({ group: `${prefix}.live`, topics, output: out, port, extra });
    const svc = startService(config, 'rules-mid');
    await svc.waitFor(IDLE, 120_000);
    const inFlight = call(port, 'POST', '/api/v1/rule-bundles', { files: { ...BASE, ...NEW_RULE }, comment: 'killed mid-deploy' }).catch(() => undefined);
    await sleep(1500);
    svc.child.kill('SIGKILL');
    expect((await svc.exited).signal).toBe('SIGKILL');
    await inFlight;

    const again = startService(config, 'rules-mid-2');
    await again.waitFor(STARTED, 60_000);
    let log = (await call(port, 'GET', '/api/v1/rule-bundles')).body as { current: RuleSetView; changes: ChangeRecord[] };
    expect([[1], [1, 2]]).toContainEqual(log.changes.map((c) => c.seq));
    if (log.changes.length === 1) {
      // Not committed: nothing of it applied; sent again, it applies once.
      expect(log.current.rules.some((r) => r.id === 'transfer-burst')).toBe(false);
      expect((await call(port, 'POST', '/api/v1/rule-bundles', { files: { ...BASE, ...NEW_RULE }, comment: 'sent again' })).status).toBe(201);
    }
    log = (await call(port, 'GET', '/api/v1/rule-bundles')).body as { current: RuleSetView; changes: ChangeRecord[] };
    expect([log.changes.map((c) => c.seq), log.current.version]).toEqual([[1, 2], 2]);
    expect((await call(port, 'POST', '/api/v1/rule-bundles', { files: { ...BASE, ...NEW_RULE } })).body['error']).toMatchObject({ code: 'CEP_ERR_BUNDLE_UNCHANGED' });
    const B = log.changes[1]?.at as number;
    await produce(events.filter((e) => e.ts >= T), topic);
    await waitCount(again, IDLE, 1);
    again.child.kill('SIGTERM');
    expect(await again.exited).toEqual({ code: 0, signal: null });

    const ref = outputs('ref');
    const refSvc = startService(writeConfig({ group: `${prefix}.ref`, topics, output: ref, port: await freePort(), extra }), 'rules-mid-ref');
    await refSvc.waitFor(IDLE, 120_000);
    refSvc.child.kill('SIGTERM');
    expect(await refSvc.exited).toEqual({ code: 0, signal: null });
    const got: Alert[] = byId(await decodeAlerts(reg, await readTopic(k, out.alerts)));
    const reference: Alert[] = byId(await decodeAlerts(reg, await readTopic(k, ref.alerts)));
    expect(got.map((a) => a.id)).toEqual([...new Set(got.map((a) => a.id))]);
    expect(got.filter((a) => a.ruleId !== 'transfer-burst')).toEqual(reference);
    const burst = (await replay(events.filter((e) => e.ts >= B).map((event) => ({ event })), {
      rules: (await loadRules(['test/rules/bundles/transfer-burst.ts'])).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 },
    })).alertsByRule['transfer-burst'] ?? 0;
    expect(burst).toBeGreaterThan(0);
    expect(got.filter((a) => a.ruleId === 'transfer-burst').length).toBe(burst);
  }, 400_000);
});
