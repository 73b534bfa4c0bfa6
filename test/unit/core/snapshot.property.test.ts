// Property: stopping at any point, snapshotting (through a real structured clone) and
// restoring gives exactly the alerts of an uninterrupted run — the basis of crash recovery —
// with every after-match skip strategy.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { correlate, defineContext, keyBy, sequence, session, sliding, threshold, times, tumbling } from '../../../src/core/rule-api.ts';
import type { AnyRule, SkipStrategy, UnorderedSkipStrategy } from '../../../src/core/rule-types.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { ms } from '../../../src/events/time.ts';
import { login, transfer } from './helpers.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 2500);
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
/** Another key space of the same name, as two rule modules declaring their own keyBy('account') make. */
const alsoByAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: new Set<string>() }),
  fold: { login: (c, e) => (e.success ? { known: new Set([...c.known, e.device]) } : c) },
});
const STRATEGIES = ['no-skip', 'skip-past-last-event', 'skip-overlapping', 'skip-to-next', 'skip-to-first', 'skip-to-last'] as const;
type Strategy = (typeof STRATEGIES)[number];
const skipFor = (s: Strategy, step: string): SkipStrategy => (s === 'skip-to-first' || s === 'skip-to-last' ? `${s}(${step})` : s);
/** Windows and correlations take the strategies that apply to them; the others map to skip-overlapping. */
const unordered = (s: Strategy): UnorderedSkipStrategy => (s === 'no-skip' || s === 'skip-past-last-event' ? s : 'skip-overlapping');

function rulesFor(s: Strategy): AnyRule[] {
  return [
    sequence({
      id: 'seq', version: 1, severity: 'low', description: 'fails, new device, out', key: byAccount, context: devices, within: ms(20), skip: skipFor(s, s === 'skip-to-first' ? 'ok' : 'f'),
      pattern: (p) => p.begin('f', 'login', (e) => !e.success, times(2, 3)).followedBy('ok', 'login', (e, _m, c) => e.success && !c.known.has(e.device))
        .followedBy('out', 'transfer', (e) => e.direction === 'OUT'),
    }),
    sequence({
      id: 'absent', version: 1, severity: 'low', description: 'logins, no transfer', key: byAccount, within: ms(8), skip: skipFor(s, 'l2'),
      pattern: (p) => p.begin('l', 'login').followedBy('l2', 'login').notFollowedBy('t', 'transfer'),
    }),
    threshold({ id: 'tum', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'transfer', window: tumbling(ms(10)), measures: (m) => ({ s: m.sum((e) => e.amount) }), when: (a) => a.s >= 40 }),
    threshold({ id: 'sli', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'login', window: sliding(ms(6)), skip: unordered(s), measures: (m) => ({ n: m.count() }), when: (a) => a.n >= 3 }),
    threshold({ id: 'ses', version: 1, severity: 'low', description: 'x', key: byAccount, on: 'login', window: session(ms(3)), measures: (m) => ({ d: m.distinct((e) => e.device) }), when: (a) => a.d >= 2 }),
    correlate({ id: 'cor', version: 1, severity: 'low', description: 'x', key: alsoByAccount, within: ms(5), order: 'any', skip: unordered(s), events: (r) => r.role('l', 'login').role('t', 'transfer') }),
  ];
}

const eventArb = fc.record({ kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 10, max: 60 })), v: fc.integer({ min: 1, max: 3 }), ok: fc.boolean(), acct: fc.constantFrom('A', 'B') });

function events(specs: { kind: 'login' | 'transfer'; dt: number; v: number; ok: boolean; acct: string }[]): AnyEvent[] {
  let ts = 0;
  return specs.map((s, i) => {
    ts += s.dt;
    return s.kind === 'login' ? login(`e${i}`, ts, { account: s.acct, device: `d${s.v}`, success: s.ok }) : transfer(`e${i}`, ts, { account: s.acct, amount: s.v * 10, direction: s.ok ? 'OUT' : 'IN' });
  });
}

describe('snapshot and restore', () => {
  it.each(STRATEGIES)('an engine restored at any point gives the same effects as one that never stopped, with %s', (strategy) => {
    const rules = rulesFor(strategy);
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 30 }), fc.nat(), fc.integer({ min: 0, max: 3 }), (specs, cut, bound) => {
      const input = events(specs);
      const at = input.length === 0 ? 0 : cut % (input.length + 1);
      const opts = { outOfOrdernessMs: bound };
      const whole = createEngine(rules, opts);
      for (const e of input) whole.push(e);
      whole.flush();
      const expected = whole.drain();

      const first = createEngine(rules, opts);
      for (const e of input.slice(0, at)) first.push(e);
      const before = first.drain();
      const restored = createEngine(rules, opts, structuredClone(first.snapshot()));
      for (const e of input.slice(at)) restored.push(e);
      restored.flush();
      expect([...before, ...restored.drain()]).toEqual(expected);
    }), { numRuns: Math.ceil(RUNS / STRATEGIES.length) });
  });

  it.each(STRATEGIES)('compaction at any moment (pruning, dropping empty state, eviction) never changes the effects, with %s', (strategy) => {
    const rules = rulesFor(strategy);
    fc.assert(fc.property(fc.array(eventArb, { maxLength: 30 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 40 }), (specs, bound, ttl) => {
      const input = events(specs);
      const opts = { outOfOrdernessMs: bound, idleKeyTtlMs: ttl };
      const plain = createEngine(rules, opts);
      const compacted = createEngine(rules, opts);
      for (const e of input) {
        plain.push(e);
        compacted.push(e);
        compacted.compact();
      }
      plain.flush();
      compacted.flush();
      expect(compacted.drain()).toEqual(plain.drain());
    }), { numRuns: Math.ceil(RUNS / 2 / STRATEGIES.length) });
  });
});
