// Shadow mode in the pure core: a candidate started at B, over shards, gives exactly the alerts
// of its own engine over the events from B on, whatever the shard count and a checkpoint cut;
// promoted at P, the live rule continues from the candidate's state (its alerts from P on are
// the candidate's); discarded, nothing of it remains. Plus the diff's pairing and the fold of
// shadow changes into the rule set.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { ruleSetOf } from '../../../src/core/control-log.ts';
import type { BundleRecord, ChangeRecord } from '../../../src/core/control-log.ts';
import { createEngine } from '../../../src/core/engine/index.ts';
import { keyBy, sliding, threshold } from '../../../src/core/rule-api.ts';
import type { RuleChange } from '../../../src/core/rule-change.ts';
import type { AnyRule } from '../../../src/core/rule-types.ts';
import { ShardCore } from '../../../src/core/shard-core.ts';
import type { ShardSnapshot } from '../../../src/core/shard-core.ts';
import { diffAlertOf, promotedSnapshots, shadowDiff } from '../../../src/core/shadow.ts';
import type { DiffAlert } from '../../../src/core/shadow.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { ms } from '../../../src/events/time.ts';
import { transfer } from './helpers.ts';

const byAccount = keyBy('account', { transfer: (e) => e.account });
const burst = (version: number, n: number): AnyRule => threshold({
  id: 'burst', version, severity: 'low', description: `${n} transfers out within 20 ms`, key: byAccount, on: 'transfer', where: (e) => e.direction === 'OUT',
  window: sliding(ms(20)), skip: 'skip-overlapping', measures: (m) => ({ n: m.count() }), when: (a) => a.n >= n,
});
const big = threshold({ id: 'big', version: 1, severity: 'low', description: 'a big one', key: byAccount, on: 'transfer', window: sliding(ms(5)), measures: (m) => ({ s: m.sum((e) => e.amount) }), when: (a) => a.s >= 9 });
const LIVE = burst(1, 2);
const CANDIDATE = burst(2, 3);

/** 120 transfers over 4 accounts, 1..4 ms apart. */
const EVENTS: AnyEvent[] = Array.from({ length: 120 }, (_, i) => transfer(`t${i}`, 1000 + i * 2 + (i % 3), {
  account: `A${(i * 7) % 4}`, amount: 1 + (i % 5) * 2, direction: i % 5 === 0 ? 'IN' : 'OUT',
}));
const MAX_TS = Math.max(...EVENTS.map((e) => e.ts));
const B = 1080;
const P = 1180;

const byId = (xs: readonly Alert[]): Alert[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** One engine over the events (at or after `from`), as a replay gives them. */
function reference(rules: readonly AnyRule[], from = -Infinity): Alert[] {
  const e = createEngine(rules, { outOfOrdernessMs: 0 });
  for (const ev of EVENTS) if (ev.ts >= from) e.push(ev);
  e.flush(MAX_TS);
  return e.drain().flatMap((f) => (f.kind === 'alert' ? [f.alert] : []));
}

/** Drives shards over one stream, 5 events a round; changes scheduled at the start; optionally a snapshot + restore after round `cut`. */
function run(shards: number, changes: readonly RuleChange[], cut = -1): { live: Alert[]; shadow: Alert[]; shadowRules: string[] } {
  const opts = { outOfOrdernessMs: 0 };
  let cores = Array.from({ length: shards }, (_, s) => new ShardCore([LIVE, big], opts, s, shards));
  const init = (cs: ShardCore[]): void => cs.forEach((c) => c.streams.ensure(1));
  init(cores);
  for (const c of cores) for (const ch of changes) c.schedule(ch);
  const live: Alert[] = [];
  const shadow: Alert[] = [];
  const collect = (): void => {
    for (const c of cores) {
      for (const f of c.drain()) if (f.kind === 'alert') live.push(f.alert);
      shadow.push(...c.drainShadow());
    }
  };
  const out = new Int32Array(64);
  let w = -Infinity;
  for (let round = 0; round * 5 < EVENTS.length; round++) {
    for (const e of EVENTS.slice(round * 5, round * 5 + 5)) {
      const n = (cores[0] as ShardCore).route(0, e, null, out);
      for (let k = 0; k < n; k++) (cores[out[k] as number] as ShardCore).deliver(e, null);
    }
    w = Math.max(w, (cores[0] as ShardCore).streams.watermarkOf(0));
    for (const c of cores) c.advance(w);
    collect();
    if (round === cut) {
      const snaps = cores.map((c) => structuredClone(c.snapshot()) as ShardSnapshot);
      const applied = snaps[0]?.ruleChangesApplied ?? 0;
      const started = changes.filter((c) => c.seq <= applied);
      const shadowsOn = started.flatMap((c) => (c.kind === 'shadow' && !started.some((x) => x.kind !== 'shadow' && x.seq > c.seq) ? [{ seq: c.seq, rule: c.rule }] : []));
      const promoted = started.some((c) => c.kind === 'promote');
      const maxTs = (cores[0] as ShardCore).streams.maxTsOf(0);
      cores = cores.map((_, s) => new ShardCore(promoted ? [CANDIDATE, big] : [LIVE, big], opts, s, shards, snaps, Infinity, changes.filter((c) => c.seq > applied), applied, shadowsOn));
      init(cores);
      (cores[0] as ShardCore).streams.setStream(0, maxTs, true);
    }
  }
  for (const c of cores) c.flush(MAX_TS);
  collect();
  return { live: byId(live), shadow: byId(shadow), shadowRules: cores.flatMap((c) => c.shadowRules().map((r) => `${r.id}@${r.version}:${r.stateKeys}`)) };
}

const liveRef = reference([LIVE, big]);
const candidateFromB = reference([CANDIDATE], B);

describe('shadow mode in the shards', () => {
  it('the inputs make the versions differ, both before and after P', () => {
    expect([candidateFromB.filter((a) => a.detectedAtEventTime < P).length > 0, candidateFromB.filter((a) => a.detectedAtEventTime >= P).length > 0]).toEqual([true, true]);
    expect(liveRef.filter((a) => a.ruleId === 'burst' && a.detectedAtEventTime >= B).length).not.toBe(candidateFromB.length);
  });

  for (const shards of [1, 3]) {
    for (const cut of [-1, 10, 20]) {
      it(`${shards} shard(s), cut after round ${cut}: shadow from B then discard at P: live untouched, shadow = the candidate's own engine from B, until P`, () => {
        const r = run(shards, [{ kind: 'shadow', seq: 2, at: B, rule: CANDIDATE }, { kind: 'discard', seq: 3, at: P, ruleId: 'burst' }], cut);
        expect(r.live).toEqual(byId(liveRef));
        expect(r.shadow).toEqual(byId(candidateFromB.filter((a) => a.detectedAtEventTime < P)));
        expect(r.shadowRules).toEqual([]);
      });

      it(`${shards} shard(s), cut after round ${cut}: shadow from B, promote at P: from P the live rule is the candidate with its state`, () => {
        const r = run(shards, [{ kind: 'shadow', seq: 2, at: B, rule: CANDIDATE }, { kind: 'promote', seq: 3, at: P, ruleId: 'burst' }], cut);
        expect(r.live).toEqual(byId([...liveRef.filter((a) => a.ruleId === 'big' || a.detectedAtEventTime < P), ...candidateFromB.filter((a) => a.detectedAtEventTime >= P)]));
        expect(r.shadow).toEqual(byId(candidateFromB.filter((a) => a.detectedAtEventTime < P)));
      });
    }
  }

  it('a shadow still running lists its engine (rule, version, keys) and is in the snapshot', () => {
    const r = run(1, [{ kind: 'shadow', seq: 2, at: B, rule: CANDIDATE }]);
    expect(r.shadow).toEqual(byId(candidateFromB));
    expect(r.shadowRules).toEqual(['burst@2:4']);
  });
});

const da = (id: string, key: string, events: string[], t: number): DiffAlert => ({ id, ruleVersion: 1, key, firstEventTime: t, lastEventTime: t, detectedAtEventTime: t, message: '', events });

describe('shadowDiff', () => {
  it('pairs a live alert with the earliest unpaired shadow alert of its key sharing a matched event; the rest is only live or only shadow', () => {
    const live = [da('l3', 'A', ['e5', 'e6'], 30), da('l1', 'A', ['e1', 'e2'], 10), da('l2', 'B', ['e3'], 20), da('l4', 'A', ['e1', 'e2'], 40)];
    const shadow = [da('s4', 'A', ['e2', 'e7'], 12), da('s1', 'A', ['e1', 'e2', 'e8'], 11), da('s2', 'B', ['e3', 'e4'], 21), da('s3', 'C', ['e3'], 22)];
    expect(shadowDiff(live, shadow)).toEqual({
      onlyLive: [live[0]],
      onlyShadow: [shadow[3]],
      both: [{ live: live[1], shadow: shadow[1] }, { live: live[2], shadow: shadow[2] }, { live: live[3], shadow: shadow[0] }],
    });
  });

  it('diffAlertOf sorts the matched event ids once each, whatever the steps', () => {
    const a = { id: 'x', ruleVersion: 2, key: 'K', firstEventTime: 1, lastEventTime: 3, detectedAtEventTime: 3, message: 'm', matched: [
      { step: 's', events: [{ event: transfer('e9', 1), source: null }, { event: transfer('e2', 2), source: null }] },
      { step: 't', events: [{ event: transfer('e2', 2), source: null }] },
    ] } as unknown as Alert;
    expect(diffAlertOf(a)).toEqual({ id: 'x', ruleVersion: 2, key: 'K', firstEventTime: 1, lastEventTime: 3, detectedAtEventTime: 3, message: 'm', events: ['e2', 'e9'] });
  });
});

describe('promotedSnapshots', () => {
  it("takes the rule's old state out of the live snapshot, and spaces only it used", () => {
    const e = createEngine([LIVE, big], { outOfOrdernessMs: 0 });
    const only = createEngine([burst(1, 2)], { outOfOrdernessMs: 0 });
    for (const ev of EVENTS.slice(0, 20)) {
      e.push(ev);
      only.push(ev);
    }
    const [live] = promotedSnapshots(e.snapshot(), only.snapshot(), 'burst');
    expect(live.spaces.map((s) => [s.name, s.rules, s.keys.flatMap((k) => k.rules.map((r) => r.ruleId))])).toEqual([['account', ['big'], ['big', 'big', 'big', 'big']]]);
    const [alone] = promotedSnapshots(only.snapshot(), e.snapshot(), 'burst');
    expect(alone.spaces).toEqual([]);
  });
});

describe('ruleSetOf with shadows', () => {
  const change = (seq: number, action: ChangeRecord['action'], rule: string | null, bundle: string | null, at: number | null): ChangeRecord => ({
    type: 'change', format: 1, seq, at, action, bundle, rule, version: 1, actor: 'ana', time: 0, comment: '', approvedBy: null, before: null, after: null,
  });
  const bundles = new Map<string, Pick<BundleRecord, 'rules'>>([['b1', { rules: [{ id: 'burst', version: 1 }, { id: 'big', version: 1 }] }], ['c1', { rules: [{ id: 'burst', version: 2 }] }], ['c2', { rules: [{ id: 'burst', version: 3 }] }]]);
  const log = [change(1, 'deploy', null, 'b1', null), change(2, 'shadow', 'burst', 'c1', 100), change(3, 'shadow', 'burst', 'c2', 150), change(4, 'promote', 'burst', 'c2', 200), change(5, 'shadow', 'burst', 'c1', 250), change(6, 'discard', 'burst', 'c1', 300)];

  it('a shadow replaces an earlier one of the rule; promote puts the candidate in the rule set; discard drops it', () => {
    const views = [2, 3, 4, 5, 6].map((s) => ruleSetOf(log, bundles, s)).map((v) => [v.rules.map((r) => `${r.id}@${r.version}`), v.promoted, v.shadows.map((x) => `${x.rule}@${x.version} ${x.bundle} #${x.seq} at ${String(x.at)}`)]);
    expect(views).toEqual([
      [['burst@1', 'big@1'], {}, ['burst@2 c1 #2 at 100']],
      [['burst@1', 'big@1'], {}, ['burst@3 c2 #3 at 150']],
      [['burst@3', 'big@1'], { burst: 'c2' }, []],
      [['burst@3', 'big@1'], { burst: 'c2' }, ['burst@2 c1 #5 at 250']],
      [['burst@3', 'big@1'], { burst: 'c2' }, []],
    ]);
  });
});
