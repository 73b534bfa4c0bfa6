// Shards do not change the result: the fixture's framed values through 1, 2 and 3 shard
// workers give exactly the alerts (same ids, same content) of one engine over the file.
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import { packBatch, shardOf } from '../../../src/workers/protocol.ts';
import { ShardPool } from '../../../src/workers/shard-pool.ts';

const ids = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
const pools: ShardPool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

describe('shard workers', () => {
  it('give the single engine\'s alerts for any shard count', async () => {
    const expected = (await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false })).alerts;
    const values: Buffer[] = [];
    for await (const e of readEventsStrict('fixtures/default.avro')) values.push(encodeConfluentValue(e, ids[e.kind]));
    const byId = (xs: readonly Alert[]) => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const shards of [1, 2, 3]) {
      const pool = await ShardPool.start({ shards, engine: { outOfOrdernessMs: 5000 } });
      pools.push(pool);
      for (let i = 0; i < values.length; i += 1024) await pool.send(values.slice(i, i + 1024));
      const results = await pool.finish();
      expect(results.reduce((n, r) => n + r.events, 0)).toBe(values.length * shards);
      expect(byId(results.flatMap((r) => r.alerts))).toEqual(byId(expected));
    }
  }, 60_000);

  it('packs batches and assigns keys to shards stably', () => {
    const { bytes, ends } = packBatch([Buffer.from('ab'), Buffer.from(''), Buffer.from('cde')]);
    expect([Buffer.from(bytes).toString(), [...ends]]).toEqual(['abcde', [2, 2, 5]]);
    expect(['AC1', 'AC2', 'AC3', '10.0.0.1'].map((k) => shardOf(k, 4))).toEqual(['AC1', 'AC2', 'AC3', '10.0.0.1'].map((k) => shardOf(k, 4)));
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOf(`AC${i}`, 4)] = (counts[shardOf(`AC${i}`, 4)] ?? 0) + 1;
    expect(counts.every((c) => c > 800 && c < 1200)).toBe(true);
  });
});
