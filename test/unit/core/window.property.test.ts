// Property: thresholds and correlations equal their naive references on random streams, for
// every skip strategy they accept (CEPHEUS_PROPERTY_RUNS streams each, default 10^4).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { correlate, keyBy, session, sliding, threshold, tumbling } from '../../../src/core/rule-api.ts';
import type { AnyRule, UnorderedSkipStrategy, WindowSpec } from '../../../src/core/rule-types.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { ms } from '../../../src/events/time.ts';
import { login, transfer } from './helpers.ts';
import { referenceCorrelation, referenceThreshold } from './reference/window-reference.ts';
import type { RefAlert } from './reference/window-reference.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 10_000);
const STRATEGIES: readonly UnorderedSkipStrategy[] = ['no-skip', 'skip-past-last-event', 'skip-overlapping'];
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });

const eventArb = fc.record({
  kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.integer({ min: 0, max: 4 }),
  v: fc.integer({ min: 1, max: 4 }), ok: fc.boolean(), delay: fc.integer({ min: 0, max: 100 }),
});
type EvSpec = { kind: 'login' | 'transfer'; dt: number; v: number; ok: boolean; delay: number };

function makeEvents(specs: EvSpec[]): AnyEvent[] {
  let ts = 1000;
  return specs.map((s, i) => {
    ts += s.dt;
    return s.kind === 'login'
      ? login(`e${i}`, ts, { device: `d${s.v}`, success: s.ok })
      : transfer(`e${i}`, ts, { amount: s.v * 10, direction: s.ok ? 'OUT' : 'IN' });
  });
}
function deliver(events: AnyEvent[], specs: EvSpec[], bound: number): AnyEvent[] {
  return events
    .map((e, i) => ({ e, i, at: e.ts + (bound === 0 ? 0 : (specs[i] as EvSpec).delay % (bound + 1)) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.e);
}
function run(rule: AnyRule, input: AnyEvent[], bound: number): RefAlert[] {
  const engine = createEngine([rule], { outOfOrdernessMs: bound, maxPartialMatches: 1_000_000, maxWindowEvents: 1_000_000 });
  for (const e of input) engine.push(e);
  engine.flush();
  const effects = engine.drain();
  expect(effects.filter((f) => f.kind !== 'alert')).toEqual([]);
  return effects.flatMap((f) => f.kind === 'alert'
    ? [{ steps: Object.fromEntries(f.alert.matched.map((m) => [m.step, m.events.map((x) => x.event.id)])), at: f.alert.detectedAtEventTime as number,
      ...(rule.kind === 'threshold' ? { aggregates: { ...f.alert.aggregates } } : {}) }]
    : []);
}

const windowArb = fc.oneof(
  fc.integer({ min: 1, max: 12 }).map((n) => tumbling(ms(n))),
  fc.integer({ min: 1, max: 12 }).map((n) => sliding(ms(n))),
  fc.integer({ min: 1, max: 6 }).map((n) => session(ms(n))),
);

describe('thresholds match the naive reference', () => {
  it.each(STRATEGIES)('count / sum / distinct / min / max conditions over tumbling, sliding and session windows, with %s', (skip) => {
    fc.assert(
      fc.property(windowArb, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 90 }), fc.integer({ min: 1, max: 3 }),
        fc.array(eventArb, { maxLength: 14 }), fc.integer({ min: 0, max: 4 }),
        (window: WindowSpec, minCount, minSum, minDistinct, specs, bound) => {
          const rule = threshold({
            id: 'thr', version: 1, severity: 'low', description: 'prop', key: byAccount, on: 'transfer', window, skip,
            where: (e) => e.direction === 'OUT',
            measures: (m) => ({ n: m.count(), total: m.sum((e) => e.amount), kinds: m.distinct((e) => e.amount), lo: m.min((e) => e.amount), hi: m.max((e) => e.amount) }),
            when: (a) => a.n >= minCount && (a.total >= minSum || a.kinds >= minDistinct + 1 || a.hi - a.lo >= 30),
          });
          const input = deliver(makeEvents(specs), specs, bound);
          expect(run(rule, input, bound)).toEqual(referenceThreshold(rule, input));
        }),
      { numRuns: RUNS },
    );
  });
});

describe('correlations match the naive reference', () => {
  it.each(STRATEGIES)('any order and declared order, with %s', (skip) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.constantFrom<'any' | 'ordered'>('any', 'ordered'),
        fc.boolean(), fc.array(eventArb, { maxLength: 14 }), fc.integer({ min: 0, max: 4 }),
        (within, order, threeRoles, specs, bound) => {
          const rule = correlate({
            id: 'cor', version: 1, severity: 'low', description: 'prop', key: byAccount, within: ms(within), order, skip,
            events: (r) => threeRoles
              ? r.role('login', 'login', (e) => e.success).role('out', 'transfer', (e) => e.direction === 'OUT').role('again', 'login', (e) => e.device === 'd1')
              : r.role('login', 'login', (e) => e.success).role('out', 'transfer', (e) => e.direction === 'OUT'),
          });
          const input = deliver(makeEvents(specs), specs, bound);
          expect(run(rule, input, bound)).toEqual(referenceCorrelation(rule, input));
        }),
      { numRuns: RUNS },
    );
  });
});
