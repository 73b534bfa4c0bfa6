// Property: a sharded engine over several input streams gives one engine's effects. Events
// are spread over streams (Kafka partitions), the streams interleave at random, rounds are cut
// at random, and 1 to 4 shards route events to the owners of their keys (a second key space,
// by device, makes most events cross shards). Then:
// - with no event later than the bound, the alerts are those of one engine over the input;
// - with late events, any two shard counts and interleavings agree on alerts and late events;
// for every after-match skip strategy.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import { correlate, defineContext, keyBy, sequence, sliding, threshold, times } from '../../../src/core/rule-api.ts';
import type { AnyRule, SkipStrategy, UnorderedSkipStrategy } from '../../../src/core/rule-types.ts';
import { ShardCore } from '../../../src/core/shard-core.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { ms } from '../../../src/events/time.ts';
import { login, transfer } from './helpers.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 2500);
const STATS = { runs: 0, withAlerts: 0, crossing: 0 };
// The comparison only means something if alerts are common and events cross shards.
afterAll(() => {
  if (STATS.runs >= 500) expect([STATS.withAlerts / STATS.runs > 0.3, STATS.crossing / STATS.runs > 0.3]).toEqual([true, true]);
});
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const byDevice = keyBy('device', { login: (e) => e.device });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
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
      pattern: (p) => p.begin('f', 'login', (e) => !e.success, times(1, 2)).followedBy('ok', 'login', (e, _m, c) => e.success && !c.known.includes(e.device))
        .followedBy('out', 'transfer', (e) => e.direction === 'OUT'),
    }),
    sequence({
      id: 'absent', version: 1, severity: 'low', description: 'logins, no transfer', key: byAccount, within: ms(8), skip: skipFor(s, 'l2'),
      pattern: (p) => p.begin('l', 'login').followedBy('l2', 'login').notFollowedBy('t', 'transfer'),
    }),
    threshold({ id: 'dev', version: 1, severity: 'low', description: 'accounts per device', key: byDevice, on: 'login', window: sliding(ms(6)), skip: unordered(s), measures: (m) => ({ a: m.distinct((e) => e.account) }), when: (a) => a.a >= 2 }),
    correlate({ id: 'cor', version: 1, severity: 'low', description: 'x', key: byAccount, within: ms(5), order: 'any', skip: unordered(s), events: (r) => r.role('l', 'login').role('t', 'transfer') }),
  ];
}

interface Spec { kind: 'login' | 'transfer'; dt: number; v: number; ok: boolean; acct: string; delay: number; stream: number }
const specArb = fc.record({
  kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 5, max: 30 })),
  v: fc.integer({ min: 1, max: 3 }), ok: fc.boolean(), acct: fc.constantFrom('A', 'B', 'C'), delay: fc.nat(), stream: fc.nat(),
});

/** Events in delivery order: each delayed by up to `bound` (disorder within the bound), plus
 *  `late` of them delayed far more (so they arrive behind the watermark). */
function deliveries(specs: readonly Spec[], bound: number, late: number): { e: AnyEvent; stream: number }[] {
  let ts = 1000;
  return specs.map((s, i) => {
    ts += s.dt;
    const e = s.kind === 'login' ? login(`e${i}`, ts, { account: s.acct, device: `d${s.v}`, success: s.ok }) : transfer(`e${i}`, ts, { account: s.acct, amount: s.v, direction: s.ok ? 'OUT' : 'IN' });
    const lag = i < late ? 100 + s.delay % 50 : bound === 0 ? 0 : s.delay % (bound + 1);
    return { e, at: ts + lag, i, stream: s.stream };
  }).sort((a, b) => a.at - b.at || a.i - b.i).map(({ e, stream }) => ({ e, stream }));
}

const byId = (xs: readonly Alert[]): Alert[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Drives `shards` ShardCores the way the service does: home shard = stream % shards. */
function sharded(rules: readonly AnyRule[], input: readonly { e: AnyEvent; stream: number }[], streams: number, shards: number, bound: number, order: readonly number[], cuts: readonly number[]): { alerts: Alert[]; late: string[] } {
  const cores = Array.from({ length: shards }, (_, s) => new ShardCore(rules, { outOfOrdernessMs: bound }, s, shards));
  for (const c of cores) c.streams.ensure(streams);
  // Interleave: per-stream queues keep their order; `order` picks which stream goes next.
  const queues = Array.from({ length: streams }, (_, s) => input.filter((x) => x.stream % streams === s));
  const merged: { e: AnyEvent; stream: number }[] = [];
  for (let k = 0; merged.length < input.length; k++) {
    let s = (order[k % Math.max(1, order.length)] ?? 0) % streams;
    while ((queues[s]?.length ?? 0) === 0) s = (s + 1) % streams;
    merged.push({ e: (queues[s]?.shift() as { e: AnyEvent }).e, stream: s });
  }
  const alerts: Alert[] = [];
  const late: string[] = [];
  const out = new Int32Array(64);
  const collect = (): void => {
    for (const c of cores) for (const f of c.drain()) if (f.kind === 'alert') alerts.push(f.alert); else if (f.kind === 'late') late.push(f.event.id);
  };
  let i = 0;
  let cut = 0;
  let crossed = false;
  while (i < merged.length) {
    const size = 1 + ((cuts[cut++ % Math.max(1, cuts.length)] ?? 0) % 7);
    const forwards: { e: AnyEvent; to: number }[] = [];
    for (const { e, stream } of merged.slice(i, i + size)) {
      const n = (cores[stream % shards] as ShardCore).route(stream, e, null, out);
      if (n < 0) late.push(e.id);
      for (let k = 0; k < n; k++) forwards.push({ e, to: out[k] as number });
    }
    i += size;
    if (forwards.length > 0) crossed = true;
    for (const f of forwards) (cores[f.to] as ShardCore).deliver(f.e, null);
    let w = Infinity;
    for (let s = 0; s < streams; s++) w = Math.min(w, (cores[s % shards] as ShardCore).streams.watermarkOf(s));
    for (const c of cores) c.advance(w);
    collect();
  }
  const maxTs = Math.max(...input.map((x) => x.e.ts));
  for (const c of cores) c.engine.flush(maxTs);
  collect();
  if (crossed) STATS.crossing++;
  return { alerts: byId(alerts), late: late.sort() };
}

describe('sharded engine over several streams', () => {
  it.each(STRATEGIES)('with disorder within the bound, equals one engine over the input, for any shards, streams and rounds, with %s', (strategy) => {
    const rules = rulesFor(strategy);
    fc.assert(fc.property(fc.array(specArb, { maxLength: 40 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }),
      fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (specs, bound, streams, shards, order, cuts) => {
        const input = deliveries(specs, bound, 0);
        const one = createEngine(rules, { outOfOrdernessMs: bound });
        for (const { e } of input) one.push(e);
        one.flush();
        const effects = one.drain();
        expect(effects.filter((f) => f.kind !== 'alert')).toEqual([]);
        const expected = byId(effects.flatMap((f) => (f.kind === 'alert' ? [f.alert] : [])));
        STATS.runs++;
        if (expected.length > 0) STATS.withAlerts++;
        expect(sharded(rules, input, streams, shards, bound, order, cuts)).toEqual({ alerts: expected, late: [] });
      }), { numRuns: Math.ceil(RUNS / STRATEGIES.length) });
  });

  it.each(STRATEGIES)('with late events, every shard count, interleaving and round size agrees, with %s', (strategy) => {
    const rules = rulesFor(strategy);
    fc.assert(fc.property(fc.array(specArb, { minLength: 5, maxLength: 40 }), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }),
      fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }),
      (specs, bound, streams, shards, order1, cuts1, order2, cuts2) => {
        const input = deliveries(specs, bound, 3);
        const a = sharded(rules, input, streams, 1, bound, order1, cuts1);
        const b = sharded(rules, input, streams, shards, bound, order2, cuts2);
        expect(b).toEqual(a);
      }), { numRuns: Math.ceil(RUNS / 2 / STRATEGIES.length) });
  });
});
