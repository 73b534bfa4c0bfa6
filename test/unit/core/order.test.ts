// The two hashes the engine agrees on: ranks order events with equal time, shardOf assigns
// keys to shards. Both must be stable across processes and versions (checkpoints hold state
// by shard and buffered events in rank order), and spread evenly.
import { describe, expect, it } from 'vitest';
import { eventRank, shardOf } from '../../../src/core/order.ts';

describe('order and ownership hashes', () => {
  it('ranks are fixed 53-bit integers that differ for different ids', () => {
    expect(['e1', 'e2', 'LG000000001', ''].map(eventRank)).toEqual([4648021668442907, 4683206884581656, 2980858666368243, 4542716993567153]);
    const ranks = new Set(Array.from({ length: 100_000 }, (_, i) => eventRank(`TR${i}`)));
    expect([ranks.size, [...ranks].every((r) => Number.isSafeInteger(r) && r >= 0)]).toEqual([100_000, true]);
  });

  it('assigns keys to shards stably and evenly', () => {
    expect(['AC1', 'AC2', 'AC3', '10.0.0.1'].map((k) => shardOf(k, 4))).toEqual([0, 1, 2, 1]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOf(`AC${i}`, 4)] = (counts[shardOf(`AC${i}`, 4)] ?? 0) + 1;
    expect(counts.every((c) => c > 800 && c < 1200)).toBe(true);
  });
});
