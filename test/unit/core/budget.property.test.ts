// Properties of the key budget (engine/keys.ts):
// - evicting only idle keys that never come back changes no alert: bounded equals unbounded;
// - evictions are decided by the input alone: one engine, any number of shards over any
//   number of streams cut into any rounds, an engine restored from a snapshot taken anywhere,
//   and compaction at any moment all give the same alerts and the same `evicted` effects,
//   which add up to the counts in stats(), and no shard ever holds more than its share.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import type { Effect } from '../../../src/core/effects.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import type { Engine, EngineOptions } from '../../../src/core/engine/index.ts';
import { correlate, defineContext, keyBy, sequence, sliding, threshold, times } from '../../../src/core/rule-api.ts';
import { ShardCore } from '../../../src/core/shard-core.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { ms } from '../../../src/events/time.ts';
import { login, transfer } from './helpers.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 2500);
const STATS = { bursts: 0, burstsEvicting: 0, mixed: 0, mixedEvictingActive: 0, mixedReturning: 0 };
// The properties only mean something if evictions are common, of idle and of active keys.
afterAll(() => {
  if (STATS.bursts >= 500) expect(STATS.burstsEvicting / STATS.bursts > 0.3).toBe(true);
  if (STATS.mixed >= 500) expect([STATS.mixedEvictingActive / STATS.mixed > 0.2, STATS.mixedReturning / STATS.mixed > 0.2]).toEqual([true, true]);
});

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const byDevice = keyBy('device', { login: (e) => e.device });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});
const rules = [
  sequence({
    id: 'seq', version: 1, severity: 'low', description: 'fails, new device, out', key: byAccount, context: devices, within: ms(20), skip: 'skip-past-last-event',
    pattern: (p) => p.begin('f', 'login', (e) => !e.success, times(1, 2)).followedBy('ok', 'login', (e, _m, c) => e.success && !c.known.includes(e.device))
      .followedBy('out', 'transfer', (e) => e.direction === 'OUT'),
  }),
  sequence({
    id: 'absent', version: 1, severity: 'low', description: 'login, no transfer', key: byAccount, within: ms(8), skip: 'no-skip',
    pattern: (p) => p.begin('l', 'login').notFollowedBy('t', 'transfer'),
  }),
  threshold({ id: 'dev', version: 1, severity: 'low', description: 'accounts per device', key: byDevice, on: 'login', window: sliding(ms(6)), measures: (m) => ({ a: m.distinct((e) => e.account) }), when: (a) => a.a >= 2 }),
  correlate({ id: 'cor', version: 1, severity: 'low', description: 'x', key: byAccount, within: ms(5), order: 'any', skip: 'no-skip', events: (r) => r.role('l', 'login').role('t', 'transfer') }),
];

interface Step { kind: 'login' | 'transfer'; dt: number; v: number; ok: boolean }
const stepArb = fc.record({ kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.integer({ min: 0, max: 4 }), v: fc.integer({ min: 1, max: 3 }), ok: fc.boolean() });

function event(id: string, ts: number, s: Step, account: string, device: string): AnyEvent {
  return s.kind === 'login' ? login(id, ts, { account, device, success: s.ok }) : transfer(id, ts, { account, amount: s.v, direction: s.ok ? 'OUT' : 'IN' });
}

/** Short bursts of events, each on an account (and devices) of its own, starting further and further on. */
function bursts(list: readonly { gap: number; steps: readonly Step[] }[]): AnyEvent[] {
  const out: AnyEvent[] = [];
  let start = 1000;
  list.forEach((b, j) => {
    start += b.gap;
    let ts = start;
    b.steps.forEach((s, i) => {
      ts += s.dt;
      out.push(event(`b${j}.${i}`, ts, s, `K${j}`, `K${j}/d${s.v}`));
    });
  });
  return out.sort((a, b) => a.ts - b.ts || (a.id < b.id ? -1 : 1));
}

const alertsOf = (effects: readonly Effect[]): Alert[] => effects.flatMap((f) => (f.kind === 'alert' ? [f.alert] : []));
type Evicted = Extract<Effect, { kind: 'evicted' }>;
const evictionsOf = (effects: readonly Effect[]): Evicted[] => effects.flatMap((f) => (f.kind === 'evicted' ? [f] : []));
const byId = (xs: readonly Alert[]): Alert[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const sorted = (xs: readonly Evicted[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

function run(input: readonly AnyEvent[], options: Partial<EngineOptions>): Effect[] {
  const engine = createEngine(rules, options);
  for (const e of input) engine.push(e);
  engine.flush();
  return engine.drain();
}

describe('key budget', () => {
  it('evicting only idle keys that never come back changes no alert', () => {
    const burstArb = fc.record({ gap: fc.integer({ min: 0, max: 40 }), steps: fc.array(stepArb, { minLength: 1, maxLength: 5 }) });
    fc.assert(fc.property(fc.array(burstArb, { minLength: 6, maxLength: 25 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }),
      (list, bound, groups, perGroup) => {
        const input = bursts(list);
        const unbounded = run(input, { outOfOrdernessMs: bound, maxKeys: Infinity });
        expect(evictionsOf(unbounded)).toEqual([]);
        const bounded = run(input, { outOfOrdernessMs: bound, keyGroups: groups, maxKeys: groups * perGroup });
        const evicted = evictionsOf(bounded);
        STATS.bursts++;
        const active = evicted.some((x) => x.active.length > 0);
        const returns = evicted.some((x) => [...x.idle, ...x.active].some((k) => input.some((e) => e.ts >= x.at && (e.account === k || (e.kind === 'login' && e.device === k)))));
        if (evicted.length > 0 && !active && !returns) STATS.burstsEvicting++;
        if (!active && !returns) expect(alertsOf(bounded)).toEqual(alertsOf(unbounded));
      }), { numRuns: Math.ceil(RUNS / 3) });
  }, 120_000);

  const specArb = fc.record({ step: stepArb, acct: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'), gap: fc.oneof(fc.constant(0), fc.integer({ min: 5, max: 25 })), delay: fc.nat(), stream: fc.nat() });
  type Spec = { step: Step; acct: string; gap: number; delay: number; stream: number };
  const mixed = (specs: readonly Spec[], bound: number): { e: AnyEvent; stream: number }[] => {
    let ts = 1000;
    return specs.map((s, i) => {
      ts += s.step.dt + s.gap;
      return { e: event(`e${i}`, ts, s.step, s.acct, `d${s.step.v}`), at: ts + (bound === 0 ? 0 : s.delay % (bound + 1)), i, stream: s.stream };
    }).sort((a, b) => a.at - b.at || a.i - b.i).map(({ e, stream }) => ({ e, stream }));
  };
  const budgetArb = fc.record({ groups: fc.integer({ min: 1, max: 4 }), perGroup: fc.integer({ min: 1, max: 2 }) });

  /** Shards as the service drives them (see shards.property.test.ts), draining every effect from their engines. */
  function sharded(input: readonly { e: AnyEvent; stream: number }[], o: Partial<EngineOptions>, streams: number, shards: number, cuts: readonly number[]): { alerts: Alert[]; evicted: string[]; counted: number } {
    const cores = Array.from({ length: shards }, (_, s) => new ShardCore(rules, o, s, shards));
    for (const c of cores) c.streams.ensure(streams);
    const effects: Effect[] = [];
    const out = new Int32Array(64);
    let i = 0;
    let cut = 0;
    while (i < input.length) {
      const size = 1 + ((cuts[cut++ % Math.max(1, cuts.length)] ?? 0) % 7);
      const forwards: { e: AnyEvent; to: number }[] = [];
      for (const { e, stream } of input.slice(i, i + size)) {
        const s = stream % streams;
        const n = (cores[s % shards] as ShardCore).route(s, e, null, out);
        for (let k = 0; k < n; k++) forwards.push({ e, to: out[k] as number });
      }
      i += size;
      for (const f of forwards) (cores[f.to] as ShardCore).deliver(f.e, null);
      let w = Infinity;
      for (let s = 0; s < streams; s++) w = Math.min(w, (cores[s % shards] as ShardCore).streams.watermarkOf(s));
      for (const c of cores) c.advance(w);
      for (const c of cores) effects.push(...c.engine.drain());
      for (const space of ['account', 'device']) {
        expect(cores.reduce((n, c) => n + (c.engine.stats().spaces.find((x) => x.name === space)?.keys ?? 0), 0)).toBeLessThanOrEqual(o.maxKeys as number);
      }
    }
    const maxTs = Math.max(...input.map((x) => x.e.ts));
    for (const c of cores) c.engine.flush(maxTs);
    for (const c of cores) effects.push(...c.engine.drain());
    const counted = cores.reduce((n, c) => n + c.engine.stats().spaces.reduce((m, x) => m + x.evictedIdle + x.evictedActive, 0), 0);
    return { alerts: byId(alertsOf(effects)), evicted: sorted(evictionsOf(effects)), counted };
  }

  it('evictions are the same for any shard count, streams and rounds, and counted', () => {
    fc.assert(fc.property(fc.array(specArb, { minLength: 10, maxLength: 50 }), fc.integer({ min: 0, max: 3 }), budgetArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.nat(), { maxLength: 8 }),
      (specs, bound, { groups, perGroup }, streams, shards, cuts) => {
        const input = mixed(specs, bound);
        const o = { outOfOrdernessMs: bound, keyGroups: 4, maxKeys: 4 * perGroup + groups - 1 };
        const one = run(input.map((x) => x.e), o);
        const evicted = evictionsOf(one);
        STATS.mixed++;
        if (evicted.some((x) => x.active.length > 0)) STATS.mixedEvictingActive++;
        if (evicted.some((x) => input.some(({ e }) => e.ts > x.at && [...x.idle, ...x.active].includes(e.account)))) STATS.mixedReturning++;
        const expected = { alerts: byId(alertsOf(one)), evicted: sorted(evicted), counted: evicted.reduce((n, x) => n + x.idle.length + x.active.length, 0) };
        expect(sharded(input, o, streams, shards, cuts)).toEqual(expected);
      }), { numRuns: Math.ceil(RUNS / 3) });
  }, 120_000);

  it('an engine restored at any point, or compacted at any moment, evicts exactly as one that never stopped', () => {
    fc.assert(fc.property(fc.array(specArb, { maxLength: 40 }), fc.integer({ min: 0, max: 3 }), budgetArb, fc.nat(), fc.nat(),
      (specs, bound, { groups, perGroup }, cut, every) => {
        const input = mixed(specs, bound).map((x) => x.e);
        const o = { outOfOrdernessMs: bound, keyGroups: groups, maxKeys: groups * perGroup };
        const expected = run(input, o);
        const at = cut % (input.length + 1);
        const first = createEngine(rules, o);
        for (const e of input.slice(0, at)) first.push(e);
        const before = first.drain();
        const restored: Engine = createEngine(rules, o, structuredClone(first.snapshot()));
        for (const e of input.slice(at)) restored.push(e);
        restored.flush();
        expect([...before, ...restored.drain()]).toEqual(expected);
        const compacted = createEngine(rules, { ...o, idleKeyTtlMs: 30 });
        const plain = run(input, { ...o, idleKeyTtlMs: 30 });
        input.forEach((e, i) => {
          compacted.push(e);
          if (i % (1 + (every % 4)) === 0) compacted.compact();
        });
        compacted.flush();
        expect(compacted.drain()).toEqual(plain);
      }), { numRuns: Math.ceil(RUNS / 3) });
  }, 120_000);
});
