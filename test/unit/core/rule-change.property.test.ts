// Property: a rule change applied at an event-time boundary B gives the same alerts whatever
// the shard count, the interleaving of streams, the round sizes, the round in which the change
// reached the shards (any round before the watermark passes B) and a checkpoint cut
// (snapshot + restore, the change pending or applied) anywhere. And what it means: rules the
// change keeps (same id and version) fire exactly as without the change; a new rule's alerts
// start at B; a rule the change removes fires nothing from B on.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { correlate, defineContext, keyBy, sequence, sliding, threshold, times } from '../../../src/core/rule-api.ts';
import type { RuleChange } from '../../../src/core/rule-change.ts';
import type { AnyRule } from '../../../src/core/rule-types.ts';
import { ShardCore } from '../../../src/core/shard-core.ts';
import type { ShardSnapshot } from '../../../src/core/shard-core.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { ms } from '../../../src/events/time.ts';
import { login, transfer } from './helpers.ts';

const RUNS = Number(process.env['CEPHEUS_PROPERTY_RUNS'] ?? 2500);
const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });
const byDevice = keyBy('device', { login: (e) => e.device });
const devices = defineContext({
  id: 'devices', initial: () => ({ known: [] as string[] }),
  fold: { login: (c, e) => (e.success && !c.known.includes(e.device) ? { known: [...c.known, e.device] } : c) },
});
const seq = sequence({
  id: 'seq', version: 1, severity: 'low', description: 'fails, new device, out', key: byAccount, context: devices, within: ms(20), skip: 'skip-past-last-event',
  pattern: (p) => p.begin('f', 'login', (e) => !e.success, times(1, 2)).followedBy('ok', 'login', (e, _m, c) => e.success && !c.known.includes(e.device))
    .followedBy('out', 'transfer', (e) => e.direction === 'OUT'),
});
const absent = (version: number, within: number): AnyRule => sequence({
  id: 'absent', version, severity: 'low', description: 'logins, no transfer', key: byAccount, within: ms(within), skip: 'skip-past-last-event',
  pattern: (p) => p.begin('l', 'login').followedBy('l2', 'login').notFollowedBy('t', 'transfer'),
});
const dev = threshold({ id: 'dev', version: 1, severity: 'low', description: 'accounts per device', key: byDevice, on: 'login', window: sliding(ms(6)), skip: 'skip-overlapping', measures: (m) => ({ a: m.distinct((e) => e.account) }), when: (a) => a.a >= 2 });
const cor = correlate({ id: 'cor', version: 1, severity: 'low', description: 'x', key: byAccount, within: ms(5), order: 'any', skip: 'skip-overlapping', events: (r) => r.role('l', 'login').role('t', 'transfer') });

const OLD: AnyRule[] = [seq, absent(1, 8), dev];
/** Keeps seq, changes absent's version and window, adds cor, retires dev (a key space by device goes away). */
const NEW: AnyRule[] = [seq, absent(2, 12), cor];

interface Spec { kind: 'login' | 'transfer'; dt: number; v: number; ok: boolean; acct: string; delay: number; stream: number }
const specArb = fc.record({
  kind: fc.constantFrom('login' as const, 'transfer' as const), dt: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 5, max: 30 })),
  v: fc.integer({ min: 1, max: 3 }), ok: fc.boolean(), acct: fc.constantFrom('A', 'B', 'C'), delay: fc.nat(), stream: fc.nat(),
});

function deliveries(specs: readonly Spec[], bound: number): { e: AnyEvent; stream: number }[] {
  let ts = 1000;
  return specs.map((s, i) => {
    ts += s.dt;
    const e = s.kind === 'login' ? login(`e${i}`, ts, { account: s.acct, device: `d${s.v}`, success: s.ok }) : transfer(`e${i}`, ts, { account: s.acct, amount: s.v, direction: s.ok ? 'OUT' : 'IN' });
    return { e, at: ts + (bound === 0 ? 0 : s.delay % (bound + 1)), i, stream: s.stream };
  }).sort((a, b) => a.at - b.at || a.i - b.i).map(({ e, stream }) => ({ e, stream }));
}

const byId = (xs: readonly Alert[]): Alert[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

interface Plan {
  readonly streams: number;
  readonly shards: number;
  readonly order: readonly number[];
  readonly sizes: readonly number[];
  /** The round before which the change reaches the shards (its boundary: the watermark then, as the service picks it). */
  readonly changeRound: number;
  /** The round after which every shard is snapshotted and restored (-1: never). */
  readonly cutRound: number;
  /** A fixed boundary instead of the watermark at changeRound (the reference run). */
  readonly boundary?: number | null;
}

/** Drives shards as the service does; returns the alerts and the boundary the change got. */
function run(input: readonly { e: AnyEvent; stream: number }[], bound: number, p: Plan, switchOff: boolean): { alerts: Alert[]; at: number | null } {
  const opts = { outOfOrdernessMs: bound };
  let cores = Array.from({ length: p.shards }, (_, s) => new ShardCore(OLD, opts, s, p.shards));
  for (const c of cores) c.streams.ensure(p.streams);
  const queues = Array.from({ length: p.streams }, (_, s) => input.filter((x) => x.stream % p.streams === s));
  const merged: { e: AnyEvent; stream: number }[] = [];
  for (let k = 0; merged.length < input.length; k++) {
    let s = (p.order[k % Math.max(1, p.order.length)] ?? 0) % p.streams;
    while ((queues[s]?.length ?? 0) === 0) s = (s + 1) % p.streams;
    merged.push({ e: (queues[s]?.shift() as { e: AnyEvent }).e, stream: s });
  }
  const alerts: Alert[] = [];
  const out = new Int32Array(64);
  const collect = (): void => {
    for (const c of cores) for (const f of c.drain()) if (f.kind === 'alert') alerts.push(f.alert);
  };
  let changes: RuleChange[] = [];
  let w = -Infinity;
  let at: number | null | undefined = p.boundary;
  const schedule = (): void => {
    at ??= w === -Infinity ? null : w;
    changes = [{ kind: 'deploy', seq: 1, at, rules: NEW }];
    if (switchOff) changes.push({ kind: 'switch', seq: 2, at: at === null ? null : at + 15, ruleId: 'seq', enabled: false });
    for (const c of cores) for (const ch of changes) c.schedule(ch);
  };
  let i = 0;
  for (let round = 0; i < merged.length || round <= p.changeRound; round++) {
    if (round === p.changeRound) schedule();
    const size = 1 + ((p.sizes[round % Math.max(1, p.sizes.length)] ?? 0) % 7);
    const forwards: { e: AnyEvent; to: number }[] = [];
    for (const { e, stream } of merged.slice(i, i + size)) {
      const n = (cores[stream % p.shards] as ShardCore).route(stream, e, null, out);
      expect(n).toBeGreaterThanOrEqual(0);
      for (let k = 0; k < n; k++) forwards.push({ e, to: out[k] as number });
    }
    i += size;
    for (const f of forwards) (cores[f.to] as ShardCore).deliver(f.e, null);
    let next = Infinity;
    for (let s = 0; s < p.streams; s++) next = Math.min(next, (cores[s % p.shards] as ShardCore).streams.watermarkOf(s));
    if (next > w) w = next;
    for (const c of cores) c.advance(w);
    collect();
    if (round === p.cutRound) {
      // A checkpoint and a restore (the same shard count; the rule set the snapshots applied, the rest pending).
      const snaps = cores.map((c) => structuredClone(c.snapshot()) as ShardSnapshot);
      const applied = snaps[0]?.ruleChangesApplied ?? 0;
      expect(snaps.map((s) => s.ruleChangesApplied)).toEqual(snaps.map(() => applied));
      const rules = applied >= 1 ? NEW : OLD;
      const maxTs = cores.map((c) => Array.from({ length: p.streams }, (_, s) => c.streams.maxTsOf(s)));
      cores = cores.map((_, s) => new ShardCore(rules, opts, s, p.shards, snaps, Infinity, changes.filter((ch) => ch.seq > applied), applied));
      cores.forEach((c, s) => {
        c.streams.ensure(p.streams);
        for (let st = 0; st < p.streams; st++) if (st % p.shards === s) c.streams.setStream(st, maxTs[s]?.[st] ?? -Infinity, true);
      });
    }
  }
  const maxTs = Math.max(...input.map((x) => x.e.ts));
  for (const c of cores) c.flush(maxTs);
  collect();
  return { alerts: byId(alerts), at: at ?? null };
}

const planArb = fc.record({
  streams: fc.integer({ min: 1, max: 3 }), shards: fc.integer({ min: 1, max: 4 }), order: fc.array(fc.nat(), { maxLength: 8 }), sizes: fc.array(fc.nat(), { maxLength: 8 }),
  changeRound: fc.integer({ min: 0, max: 12 }), cutRound: fc.integer({ min: -1, max: 14 }),
});

describe('rule changes at an event-time boundary', () => {
  it('give the same alerts for any shards, interleaving, rounds, delivery of the change and checkpoint cut', () => {
    fc.assert(fc.property(fc.array(specArb, { minLength: 5, maxLength: 40 }), fc.integer({ min: 0, max: 4 }), planArb, fc.boolean(), (specs, bound, plan, switchOff) => {
      const input = deliveries(specs, bound);
      const got = run(input, bound, plan, switchOff);
      // The reference: one shard, one stream, one event per round, the change known from the start.
      const reference = run(input.map((x) => ({ e: x.e, stream: 0 })), bound, { streams: 1, shards: 1, order: [], sizes: [0], changeRound: 0, cutRound: -1, boundary: got.at }, switchOff);
      expect(got.alerts).toEqual(reference.alerts);
    }), { numRuns: Math.ceil(RUNS / 5) });
  });

  it('keeps the alerts of unchanged rules, starts new rules at the boundary, and retires removed ones', () => {
    fc.assert(fc.property(fc.array(specArb, { minLength: 5, maxLength: 40 }), fc.integer({ min: 0, max: 4 }), planArb, (specs, bound, plan) => {
      const input = deliveries(specs, bound);
      const got = run(input, bound, plan, false);
      const B = got.at ?? -Infinity;
      const without = run(input, bound, { ...plan, changeRound: -1, cutRound: -1 }, false);
      const of = (xs: readonly Alert[], id: string): Alert[] => xs.filter((a) => a.ruleId === id);
      expect(of(got.alerts, 'seq')).toEqual(of(without.alerts, 'seq'));
      expect(of(got.alerts, 'cor').filter((a) => a.firstEventTime < B)).toEqual([]);
      expect(of(got.alerts, 'dev').filter((a) => a.detectedAtEventTime >= B)).toEqual([]);
      expect(of(got.alerts, 'absent').filter((a) => a.ruleVersion === 2 && a.firstEventTime < B)).toEqual([]);
    }), { numRuns: Math.ceil(RUNS / 10) });
  });
});
