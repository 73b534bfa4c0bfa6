// The service's state answers over a fake holder of the partitions (what the pipeline's
// heldRun() gives): without a run they refuse with CEP_ERR_STATE_UNAVAILABLE; with one, a key's
// state and a context come from its shards as asked (nothing held: undefined); an alert is
// explained by replaying only its own events in time order, with its rule's source, and says
// when that is not enough (a predicate that read the key's context) or its rule is not loaded.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { explainAlert } from '../../../src/core/explain/alert.ts';
import { defineContext, keyBy, sequence } from '../../../src/core/rule-api.ts';
import type { ContextView, KeyStateView, RecentIssues } from '../../../src/core/state-view.ts';
import { minutes } from '../../../src/events/time.ts';
import type { LoadedRule } from '../../../src/rules/load-rules.ts';
import { serviceStateQuery } from '../../../src/service/state-query.ts';
import type { HeldShards } from '../../../src/service/state-query.ts';
import { login, run, transfer } from '../../../src/testing.ts';

const M = 60_000;
const ENGINE = { outOfOrdernessMs: 5000 };
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});
/** Reads the key's context: its own two events cannot raise it again. */
const newDevice = sequence({
  id: 'new-device-out', version: 2, severity: 'high', description: 'a login from a device not seen before on a known account, then money out', key: byAccount, context: devices,
  within: minutes(2), skip: 'skip-overlapping',
  pattern: (p) => p.begin('login', 'login', (e, _m, c) => e.success && c.known.length > 0 && !c.known.includes(e.device)).followedBy('out', 'transfer', (e) => e.amount > 100),
});
const bigOut = sequence({
  id: 'login-then-out', version: 1, severity: 'low', description: 'a login, then money out', key: byAccount,
  within: minutes(2), skip: 'skip-overlapping',
  pattern: (p) => p.begin('login', 'login', (e) => e.success).followedBy('out', 'transfer', (e) => e.amount > 100),
});
const loaded: LoadedRule[] = [
  { rule: newDevice, source: join(process.cwd(), 'rules', 'new-device-out.ts'), line: 12 },
  { rule: bigOut, source: join(process.cwd(), 'rules', 'lib', 'factories.ts'), line: undefined },
];
const history = [login('old', 0, { device: 'laptop' }), login('l1', 5 * M, { device: 'phone' }), transfer('t1', 6 * M, { amount: 500 })];
const alerts = run([newDevice, bigOut], history, ENGINE).alerts;
const alertOf = (ruleId: string): Alert => {
  const a = alerts.find((x) => x.ruleId === ruleId);
  if (a === undefined) throw new Error(`no alert of ${ruleId}`);
  return a;
};

const view: KeyStateView = {
  ruleId: 'login-then-out', ruleVersion: 1, keySpace: 'account', key: 'A1', watermark: 5 * M, lastSeen: 5 * M, context: null,
  state: { kind: 'sequence', partialMatches: [] },
};
const recent: RecentIssues = { late: [], overflow: [{ ruleId: 'login-then-out', dropped: 3, watermark: 5 * M }] };
const devicesView: ContextView = { contextId: 'devices', keySpace: 'account', key: 'A1', lastSeen: 5 * M, value: { known: ['laptop'] } };

/** A holder whose shards answer for key A1 only, recording what they were asked. */
function holding(asked: string[]): HeldShards {
  const rounds = {
    state: async (ruleId: string, key: string) => {
      asked.push(`state ${ruleId} ${key}`);
      return key === 'A1' ? { view, recent } : null;
    },
    context: async (key: string, contextId: string) => {
      asked.push(`context ${key} ${contextId}`);
      return key === 'A1' ? devicesView : null;
    },
  };
  return { heldRun: () => ({ rounds }) };
}

describe('service state query', () => {
  it('refuses with a code while this instance holds no partitions', async () => {
    const q = serviceStateQuery({ heldRun: () => undefined }, loaded, ENGINE);
    const refusals = await Promise.all([q.keyState('login-then-out', 'A1'), q.context('A1', 'devices')].map((p) => p.then(() => null, (e: unknown) => e)));
    const said = 'CEP_ERR_STATE_UNAVAILABLE: this instance holds no partitions (standby, restoring or stopped); ask the instance that does';
    expect(refusals.map((e) => [(e as Error).name, (e as { code?: string }).code, (e as Error).message])).toEqual([
      ['CepError', 'CEP_ERR_STATE_UNAVAILABLE', said], ['CepError', 'CEP_ERR_STATE_UNAVAILABLE', said],
    ]);
  });

  it('answers a key\'s state and a context from the run\'s shards; a key they hold nothing for is undefined', async () => {
    const asked: string[] = [];
    const q = serviceStateQuery(holding(asked), loaded, ENGINE);
    expect([
      await q.keyState('login-then-out', 'A1'), await q.keyState('login-then-out', 'B2'), await q.context('A1', 'devices'), await q.context('B2', 'devices'),
    ]).toEqual([{ ...view, recent }, undefined, devicesView, undefined]);
    expect(asked).toEqual(['state login-then-out A1', 'state login-then-out B2', 'context A1 devices', 'context B2 devices']);
  });

  it('explains an alert from its own events in time order, with its rule\'s source', async () => {
    const q = serviceStateQuery({ heldRun: () => undefined }, loaded, ENGINE); // answers without the shards
    const a = alertOf('login-then-out');
    const reordered: Alert = { ...a, matched: [...a.matched].reverse() }; // steps listed out of time order
    const reference = explainAlert([newDevice, bigOut], reordered, history.slice(1), ENGINE);
    expect([reference.reproduced, await q.explainAlert(reordered)]).toEqual([true, { source: 'rules/lib/factories.ts', ...reference }]);
  });

  it('says when its own events do not raise the alert again, or its rule is not loaded', async () => {
    const q = serviceStateQuery({ heldRun: () => undefined }, loaded, ENGINE);
    const a = alertOf('new-device-out');
    const unchecked = [{ step: 'login', events: [{ id: 'l1', kind: 'login', ts: 5 * M, checks: [] }] }, { step: 'out', events: [{ id: 't1', kind: 'transfer', ts: 6 * M, checks: [] }] }];
    const base = { alertId: a.id, ruleId: 'new-device-out', ruleVersion: 2, key: 'A1', reproduced: false, decision: null, context: { known: ['laptop', 'phone'] }, steps: unchecked, timeline: [] };
    expect([await q.explainAlert(a), await q.explainAlert({ ...a, ruleId: 'gone' })]).toEqual([
      { source: 'rules/new-device-out.ts:12', ...base, note: "replaying the events did not raise this alert again: the key's history before it is missing from the events replayed" },
      { source: null, ...base, ruleId: 'gone', note: 'rule gone is not loaded' },
    ]);
  });
});
