// Property: on random small streams and random patterns, the engine's alerts equal the
// brute-force reference's, in order, whatever the disorder within the bound and batching,
// for every after-match skip strategy (CEPHEUS_PROPERTY_RUNS streams each, default 10^4).
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { keyBy, one, optional, sequence, times } from '../../../src/core/rule-api.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import type { Captures, PatternStep, Quantifier, SequenceRule, SkipStrategy } from '../../../src/core/rule-types.ts';
import { ms } from '../../../src/events/time.ts';
import { alertsOf, login, transfer } from './helpers.ts';
import { referenceSequence } from './reference/sequence-reference.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 10_000);
const STRATEGIES = ['no-skip', 'skip-past-last-event', 'skip-overlapping', 'skip-to-next', 'skip-to-first', 'skip-to-last'] as const;
const STATS = { runs: 0, withAlerts: 0 };
/** Of every 4th run, those where the strategy emitted fewer alerts than no-skip would have, by strategy. */
const SKIPPED: Record<string, number> = {};
// The generator must produce matches often enough, and give every strategy something to
// skip often enough, for the comparison to mean something.
afterAll(() => {
  if (RUNS < 500) return;
  expect(STATS.withAlerts / STATS.runs).toBeGreaterThan(0.1);
  expect(STRATEGIES.slice(1).filter((s) => (SKIPPED[s] ?? 0) / (RUNS / 4) < 0.01)).toEqual([]);
});
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });

type Pred = (e: AnyEvent, m: Captures) => boolean;
const firstOf = (m: Captures): AnyEvent | undefined => {
  for (const v of Object.values(m)) {
    const e = Array.isArray(v) ? (v[0] as AnyEvent | undefined) : (v as AnyEvent | undefined);
    if (e !== undefined) return e;
  }
  return undefined;
};
/** The test streams hold logins (device a/b/c) and transfers (amount 1/2/3): one value each. */
const value = (e: AnyEvent): string => (e.kind === 'login' ? e.device : e.kind === 'transfer' ? String(e.amount) : '');
const PREDICATES: Record<string, Pred | undefined> = {
  any: undefined,
  a: (e) => value(e) === 'a' || value(e) === '1',
  notA: (e) => value(e) !== 'a' && value(e) !== '1',
  ok: (e) => (e.kind === 'login' ? e.success : e.kind === 'transfer' && e.direction === 'OUT'),
  sameAsFirst: (e, m) => {
    const f = firstOf(m);
    return f === undefined || value(e) === value(f);
  },
};

interface StepSpec { absent: boolean; kind: 'login' | 'transfer'; pred: string; q: 'one' | 'optional' | 'n' | 'nm'; n: number; m: number; contiguity: 'strict' | 'relaxed' | 'any' }

const stepArb = fc.record({
  absent: fc.boolean(), kind: fc.constantFrom('login' as const, 'transfer' as const), pred: fc.constantFrom(...Object.keys(PREDICATES)),
  q: fc.constantFrom('one' as const, 'optional' as const, 'n' as const, 'nm' as const), n: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 0, max: 2 }), contiguity: fc.constantFrom('strict' as const, 'relaxed' as const, 'any' as const),
});
/** Steps that match often (permissive predicates, few absences), so that matches overlap and a strategy has something to skip. */
const denseStepArb = fc.record({
  absent: fc.constantFrom(false, false, false, true), kind: fc.constantFrom('login' as const, 'transfer' as const), pred: fc.constantFrom('any', 'any', 'ok', 'sameAsFirst', 'a', 'notA'),
  q: fc.constantFrom('one' as const, 'optional' as const, 'n' as const, 'nm' as const), n: fc.integer({ min: 1, max: 3 }), m: fc.integer({ min: 0, max: 2 }), contiguity: fc.constantFrom('strict' as const, 'relaxed' as const, 'any' as const),
});

/** Turns random step specs into a valid pattern (fixing what validation would reject). */
function buildRule(specs: StepSpec[], within: number, strategy: (typeof STRATEGIES)[number], target = 0): SequenceRule {
  const steps: PatternStep[] = [];
  specs.forEach((s, i) => {
    const prev = steps[steps.length - 1];
    const where = PREDICATES[s.pred] as PatternStep['where'];
    if (s.absent && prev !== undefined && prev.type === 'step' && prev.quantifier.min > 0) {
      steps.push({ type: 'absent', name: `s${i}`, kind: s.kind, where });
      return;
    }
    let q: Quantifier = s.q === 'one' ? one() : s.q === 'optional' ? optional() : s.q === 'n' ? times(s.n) : times(s.n, s.n + s.m);
    if (q.min === 0 && (steps.length === 0 || prev?.type === 'absent')) q = one();
    steps.push({ type: 'step', name: `s${i}`, kind: s.kind, contiguity: steps.length > 0 ? s.contiguity : 'relaxed', quantifier: q, where });
  });
  // The last positive step needs an exact count; an absence may not follow an optional step.
  let lastPos = -1;
  steps.forEach((s, i) => { if (s.type === 'step') lastPos = i; });
  const last = steps[lastPos];
  if (last?.type === 'step' && last.quantifier.min !== last.quantifier.max) {
    steps[lastPos] = { ...last, quantifier: last.quantifier.min === 0 ? one() : times(last.quantifier.min) };
  }
  const takes = steps.filter((s) => s.type === 'step');
  const named = (takes[target % takes.length] as PatternStep).name;
  const skip: SkipStrategy = strategy === 'skip-to-first' || strategy === 'skip-to-last' ? `${strategy}(${named})` : strategy;
  const base = sequence({
    id: 'prop', version: 1, severity: 'low', description: 'property', key: byAccount, within: ms(within), skip: 'no-skip',
    pattern: (p) => p.begin('x', 'login'),
  });
  return { ...base, skip, steps };
}

const eventArb = fc.record({
  kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.integer({ min: 0, max: 3 }),
  v: fc.constantFrom('a', 'b', 'c'), ok: fc.boolean(), delay: fc.integer({ min: 0, max: 100 }),
});

function makeEvents(specs: { kind: 'login' | 'transfer'; dt: number; v: string; ok: boolean }[]): AnyEvent[] {
  let ts = 1000;
  return specs.map((s, i) => {
    ts += s.dt;
    const id = `e${i}`;
    return s.kind === 'login'
      ? login(id, ts, { device: s.v, success: s.ok })
      : transfer(id, ts, { amount: s.v === 'a' ? 1 : s.v === 'b' ? 2 : 3, direction: s.ok ? 'OUT' : 'IN' });
  });
}

/** Delivery order with disorder bounded by `bound`: each event is delayed by at most `bound`. */
function deliver(events: AnyEvent[], delays: number[], bound: number): AnyEvent[] {
  return events
    .map((e, i) => ({ e, i, at: e.ts + (bound === 0 ? 0 : (delays[i] as number) % (bound + 1)) }))
    .sort((a, b) => a.at - b.at || a.i - b.i)
    .map((x) => x.e);
}

function runEngine(rule: SequenceRule, input: AnyEvent[], bound: number) {
  const engine = createEngine([rule], { outOfOrdernessMs: bound, maxPartialMatches: 1_000_000 });
  for (const e of input) engine.push(e);
  engine.flush();
  const effects = engine.drain();
  expect(effects.filter((f) => f.kind !== 'alert')).toEqual([]);
  return alertsOf(effects).map((a) => ({ steps: a.steps, at: a.at }));
}

describe('sequence semantics match the brute-force reference', () => {
  // Half the runs draw from the general generator, half from a dense one (permissive steps,
  // longer windows, longer streams) where matches overlap and strategies have work to do.
  const caseArb = fc.oneof(
    fc.record({ specs: fc.array(stepArb, { minLength: 1, maxLength: 4 }), within: fc.integer({ min: 2, max: 15 }), events: fc.array(eventArb, { minLength: 0, maxLength: 11 }) }),
    fc.record({ specs: fc.array(denseStepArb, { minLength: 1, maxLength: 3 }), within: fc.integer({ min: 5, max: 15 }), events: fc.array(eventArb, { minLength: 5, maxLength: 11 }) }),
  );
  it.each(STRATEGIES)('on random patterns and streams, in order and out of order within the bound, with %s', (strategy) => {
    fc.assert(
      fc.property(caseArb, fc.nat(), fc.integer({ min: 0, max: 4 }), ({ specs, within, events: evSpecs }, target, bound) => {
        const rule = buildRule(specs, within, strategy, target);
        const events = makeEvents(evSpecs);
        const input = deliver(events, evSpecs.map((s) => s.delay), bound);
        const got = runEngine(rule, input, bound);
        STATS.runs++;
        if (got.length > 0) STATS.withAlerts++;
        if (strategy !== 'no-skip' && STATS.runs % 4 === 0 && got.length < referenceSequence({ ...rule, skip: 'no-skip' }, input).length) SKIPPED[strategy] = (SKIPPED[strategy] ?? 0) + 1;
        expect(got).toEqual(referenceSequence(rule, input));
      }),
      { numRuns: RUNS },
    );
  });

  it('gives the same alerts (and ids) whether events arrive one by one or after a pause', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 2, maxLength: 4 }), fc.array(eventArb, { maxLength: 10 }), (specs, evSpecs) => {
        const rule = buildRule(specs, 10, 'no-skip');
        const events = makeEvents(evSpecs);
        const a = createEngine([rule]);
        for (const e of events) a.push(e);
        a.flush();
        const b = createEngine([rule], { outOfOrdernessMs: 1_000_000 });
        for (const e of events) b.push(e);
        b.flush();
        const ids = (x: ReturnType<typeof a.drain>) => x.flatMap((f) => (f.kind === 'alert' ? [f.alert.id] : []));
        expect(ids(b.drain())).toEqual(ids(a.drain()));
      }),
      { numRuns: Math.ceil(RUNS / 20) },
    );
  });
});
