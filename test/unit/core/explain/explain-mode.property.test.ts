// Property: explain mode changes nothing. On random streams, for every rule kind and skip
// strategy, the alerts explain narrates for a key are the normal engine's alerts at that key,
// and the state explain ends with is what the normal engine's inspect() returns (the same
// prefix of events, nothing flushed: as a live engine holds it).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../../src/core/engine/index.ts';
import { explain } from '../../../../src/core/explain/explain.ts';
import { correlate, defineContext, keyBy, sequence, session, sliding, threshold, times } from '../../../../src/core/rule-api.ts';
import type { AnyRule } from '../../../../src/core/rule-types.ts';
import type { AnyEvent } from '../../../../src/events/types.ts';
import { ms } from '../../../../src/events/time.ts';
import { login, transfer } from '../helpers.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 2500);
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});
const rules: AnyRule[] = [
  sequence({
    id: 'seq', version: 1, severity: 'low', description: 'x', key: byAccount, context: devices, within: ms(20), skip: 'skip-overlapping',
    pattern: (p) => p.begin('f', 'login', (e) => !e.success, times(1, 3)).followedBy('ok', 'login', (e, _m, c) => e.success && !c.known.includes(e.device))
      .followedBy('out', 'transfer', (e) => e.direction === 'OUT'),
  }),
  sequence({
    id: 'last', version: 1, severity: 'low', description: 'x', key: byAccount, within: ms(10), skip: 'skip-to-last(l)',
    pattern: (p) => p.begin('l', 'login', undefined, times(1, 2)).followedByAny('t', 'transfer'),
  }),
  sequence({
    id: 'absent', version: 1, severity: 'low', description: 'x', key: byAccount, within: ms(8), skip: 'skip-past-last-event',
    pattern: (p) => p.begin('l', 'login').next('l2', 'login').notFollowedBy('t', 'transfer'),
  }),
  threshold({ id: 'sli', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'login', window: sliding(ms(6)), skip: 'no-skip', measures: (m) => ({ n: m.count() }), when: (a) => a.n >= 3 }),
  threshold({ id: 'ses', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'transfer', window: session(ms(3)), measures: (m) => ({ s: m.sum((e) => e.amount) }), when: (a) => a.s >= 40 }),
  correlate({ id: 'cor', version: 1, severity: 'low', description: 'x', key: byAccount, within: ms(5), order: 'ordered', skip: 'skip-overlapping', events: (r) => r.role('l', 'login').role('t', 'transfer') }),
];

const eventArb = fc.record({ kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 10, max: 30 })), v: fc.integer({ min: 1, max: 3 }), ok: fc.boolean(), acct: fc.constantFrom('A', 'B') });

function events(specs: { kind: 'login' | 'transfer'; dt: number; v: number; ok: boolean; acct: string }[]): AnyEvent[] {
  let ts = 0;
  return specs.map((s, i) => {
    ts += s.dt;
    return s.kind === 'login' ? login(`e${i}`, ts, { account: s.acct, device: `d${s.v}`, success: s.ok }) : transfer(`e${i}`, ts, { account: s.acct, amount: s.v * 10, direction: s.ok ? 'OUT' : 'IN' });
  });
}

describe('explain mode', () => {
  it.each(rules.map((r) => r.id))('narrates exactly the alerts and ends with exactly the state of the normal engine (%s)', (ruleId) => {
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 30 }), fc.integer({ min: 0, max: 3 }), (specs, bound) => {
      const input = events(specs);
      const engine = createEngine(rules, { outOfOrdernessMs: bound });
      for (const e of input) engine.push(e);
      const alerts = engine.drain().flatMap((f) => (f.kind === 'alert' && f.alert.ruleId === ruleId && f.alert.key === 'A' ? [f.alert.id] : []));
      const x = explain(rules, input, { ruleId, key: 'A', engine: { outOfOrdernessMs: bound }, end: 'hold' });
      const narrated = x.timeline.flatMap((e) => e.happened.flatMap((h) => (h.kind === 'alert' ? [h.id] : [])));
      expect({ alerts: narrated, state: x.state }).toEqual({ alerts, state: engine.inspect(ruleId, 'A') });
    }), { numRuns: Math.ceil(RUNS / rules.length) });
  });
});
