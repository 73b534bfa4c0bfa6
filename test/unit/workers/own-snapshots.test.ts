// Restoring a checkpoint into a shard from snapshots cut down to its own keys, one decoded at
// a time, gives exactly the state the shard gets from the whole snapshots (the engine skips
// keys it does not own): the same engine snapshot afterwards, for each shard of two.
import { serialize } from 'node:v8';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../../../src/core/engine/index.ts';
import { shardOf } from '../../../src/core/order.ts';
import { ShardCore } from '../../../src/core/shard-core.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { login, transfer } from '../../../src/testing.ts';
import { decodeSnapshot, ownSnapshots } from '../../../src/workers/own-snapshots.ts';

const T0 = Date.UTC(2026, 0, 5);

describe('own snapshots', () => {
  it('restores each shard to the same state as from the whole snapshots, holding only its keys', async () => {
    const rules = (await loadRules()).map((l) => l.rule);
    const engine = createEngine(rules, { outOfOrdernessMs: 5000 });
    for (let i = 0; i < 400; i++) {
      const account = `A${i % 150}`;
      engine.push(i % 3 === 0 ? transfer(`t${i}`, T0 + i * 60_000, { account, amount: 9_000 + i }) : login(`l${i}`, T0 + i * 60_000, { account, ip: `10.0.${i % 7}.${i % 11}`, success: i % 5 !== 0 }));
    }
    engine.drain();
    const checkpoint = [new Uint8Array(deflateRawSync(serialize(engine.snapshot())))];
    const stateOf = (core: ShardCore): Buffer => serialize(core.engine.snapshot());
    const owned: string[] = [];
    for (const shard of [0, 1]) {
      const whole = new ShardCore(rules, { outOfOrdernessMs: 5000 }, shard, 2, checkpoint.map(decodeSnapshot));
      const own = ownSnapshots(checkpoint, shard, 2);
      const cut = new ShardCore(rules, { outOfOrdernessMs: 5000 }, shard, 2, own);
      expect(stateOf(cut).equals(stateOf(whole))).toBe(true);
      const keys = (own[0]?.spaces ?? []).flatMap((s) => s.keys.map((k) => k.key));
      expect(keys.every((k) => shardOf(k, 2) === shard)).toBe(true);
      owned.push(...(own[0]?.spaces ?? []).flatMap((s) => s.keys.map((k) => `${s.name} ${k.key}`)));
    }
    const all = (decodeSnapshot(checkpoint[0] as Uint8Array).spaces).flatMap((s) => s.keys.map((k) => `${s.name} ${k.key}`));
    expect(all.length).toBeGreaterThan(150);
    expect(owned.sort()).toEqual(all.sort());
  });

  it('cuts the shadows (shadow mode) a shard snapshot carries down the same way', async () => {
    const [burst] = (await loadRules(['test/rules/bundles/transfer-burst-v2.ts'])).map((l) => l.rule);
    const rules = (await loadRules()).map((l) => l.rule);
    const core = new ShardCore(rules, { outOfOrdernessMs: 0 }, 0, 1);
    core.streams.ensure(1);
    core.schedule({ kind: 'shadow', seq: 2, at: null, rule: burst as NonNullable<typeof burst> });
    core.advance(-Infinity);
    const out = new Int32Array(64);
    for (let i = 0; i < 90; i++) core.route(0, transfer(`t${i}`, T0 + i * 60_000, { account: `A${i % 30}`, amount: 10, direction: 'OUT' }), null, out);
    core.advance(T0 + 100 * 60_000);
    const checkpoint = [new Uint8Array(deflateRawSync(serialize(core.snapshot())))];
    const keysOf = (shard: number): string[] => (ownSnapshots(checkpoint, shard, 2)[0]?.shadows ?? []).flatMap((x) => x.snapshot.spaces.flatMap((s) => s.keys.map((k) => k.key)));
    const all = (decodeSnapshot(checkpoint[0] as Uint8Array).shadows ?? []).flatMap((x) => x.snapshot.spaces.flatMap((s) => s.keys.map((k) => k.key)));
    expect(all.length).toBe(30);
    expect([keysOf(0).every((k) => shardOf(k, 2) === 0), keysOf(1).every((k) => shardOf(k, 2) === 1)]).toEqual([true, true]);
    expect([...keysOf(0), ...keysOf(1)].sort()).toEqual([...all].sort());
  });
});
