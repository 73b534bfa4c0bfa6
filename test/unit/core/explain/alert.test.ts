// An alert explained by replaying events: with the key's history it comes again and each
// event carries the predicate that let it in; without it, or from another rule version, it
// says so and keeps the alert's own events unchecked.
import { describe, expect, it } from 'vitest';
import { explainAlert } from '../../../../src/core/explain/alert.ts';
import { defineContext, keyBy, sequence } from '../../../../src/core/rule-api.ts';
import { minutes } from '../../../../src/events/time.ts';
import { alertsOf, login, run, transfer } from '../../../../src/testing.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});
const rule = sequence({
  id: 'new-device-out', version: 2, severity: 'high', description: 'a login from a device not seen before, then money out', key: byAccount, context: devices,
  within: minutes(2), skip: 'skip-overlapping',
  pattern: (p) => p.begin('login', 'login', (e, _m, c) => e.success && !c.known.includes(e.device)).followedBy('out', 'transfer', (e, m) => e.amount > 100 && m.login.device !== 'kiosk'),
});
const M = 60_000;
const history = [login('old', 0, { device: 'laptop' }), login('l1', 5 * M, { device: 'phone' }), transfer('t1', 6 * M, { amount: 500 })];

describe('explainAlert', () => {
  it('with the history: reproduced, each event with what its predicate read', () => {
    const { alerts, effects } = run([rule], history);
    expect(alertsOf(effects)).toEqual([{ rule: 'new-device-out', key: 'A1', at: 6 * M, steps: { login: ['l1'], out: ['t1'] } }]);
    const a = alerts[0] as (typeof alerts)[number];
    const x = explainAlert([rule], a, history);
    expect({ ...x, timeline: x.timeline.map((e) => e.event?.id) }).toEqual({
      alertId: a.id, ruleId: 'new-device-out', ruleVersion: 2, key: 'A1', reproduced: true, note: null, decision: null, context: { known: ['laptop', 'phone'] },
      steps: [
        { step: 'login', events: [{ id: 'l1', kind: 'login', ts: 5 * M, checks: [{ label: 'login', result: true, reads: [{ path: 'e.success', value: true }, { path: 'e.device', value: 'phone' }, { path: 'ctx.known', value: ['laptop'] }] }] }] },
        { step: 'out', events: [{ id: 't1', kind: 'transfer', ts: 6 * M, checks: [{ label: 'out', result: true, reads: [{ path: 'e.amount', value: 500 }, { path: 'm.login.device', value: 'phone' }] }] }] },
      ],
      timeline: ['l1', 't1'],
    });
  });

  it('without the events that made it, or from another version: not reproduced, and says why', () => {
    const a = run([rule], history).alerts[0] as Parameters<typeof explainAlert>[1];
    const unchecked = [{ step: 'login', events: [{ id: 'l1', kind: 'login', ts: 5 * M, checks: [] }] }, { step: 'out', events: [{ id: 't1', kind: 'transfer', ts: 6 * M, checks: [] }] }];
    const base = { alertId: a.id, ruleId: 'new-device-out', ruleVersion: 2, key: 'A1', reproduced: false, decision: null, context: { known: ['laptop', 'phone'] }, steps: unchecked, timeline: [] };
    expect(explainAlert([rule], a, history.slice(2))).toEqual({ ...base, note: "replaying the events did not raise this alert again: the key's history before it is missing from the events replayed" });
    expect(explainAlert([{ ...rule, version: 3 }], a, history)).toEqual({ ...base, note: 'the loaded rule is version 3, the alert was raised by version 2' });
  });
});
