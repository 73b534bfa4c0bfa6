// Heap limits derived from the key budget: replay's process and each shard thread get an
// old-generation limit of a base plus two (replay) or three (shards: restores) times the live
// state their share of the budget allows;
// an unbounded budget keeps V8's default; an explicit limit wins; node's own flag is seen.
import { describe, expect, it } from 'vitest';
import { budgetKeys, heapFlagGiven, replayHeapMb, shardHeapMb, v8DefaultMb } from '../../../src/config/heap-limits.ts';

const GIB = 1024 ** 3;

describe('heap limits', () => {
  it('gives replay 256 MiB plus 2,400 bytes per key of the budget, V8\'s default when unbounded', () => {
    expect([500_000, 250_000, 1_000_000, 256].map((maxKeys) => replayHeapMb({ maxKeys }))).toEqual([1401, 829, 2545, 257]);
    expect(replayHeapMb({ maxKeys: Infinity })).toBeUndefined();
    expect(replayHeapMb({ maxKeys: 500_000 }, 900)).toBe(900);
    expect(replayHeapMb({ maxKeys: Infinity }, 900)).toBe(900);
  });

  it('budgets by the largest key space budget (maxKeys or a per-space one)', () => {
    expect(budgetKeys({ maxKeys: 100_000, maxKeysBySpace: { ip: 300_000, device: 1000 } })).toBe(300_000);
    expect(budgetKeys({ maxKeys: 100_000, maxKeysBySpace: { ip: Infinity } })).toBe(Infinity);
    expect(replayHeapMb({ maxKeys: 100_000, maxKeysBySpace: { ip: 300_000 } })).toBe(replayHeapMb({ maxKeys: 300_000 }));
  });

  it('gives each shard 128 MiB plus three times the state of its share of the budget (a restore holds a snapshot and the state rebuilt from it)', () => {
    expect([1, 2, 3, 8].map((shards) => shardHeapMb({ maxKeys: 500_000 }, shards))).toEqual([1845, 987, 701, 343]);
    expect(shardHeapMb({ maxKeys: 250_000 }, 2)).toBe(558);
    expect(shardHeapMb({ maxKeys: 500_000 }, 2, 600)).toBe(600);
    expect(shardHeapMb({ maxKeys: Infinity }, 2, 'auto', 24 * GIB)).toBe(4096);
    expect(shardHeapMb({ maxKeys: Infinity }, 2, 'auto', 8 * GIB)).toBe(2048);
  });

  it('V8\'s default: a quarter of the memory, at most 4 GiB', () => {
    expect([1 * GIB, 4 * GIB, 16 * GIB, 64 * GIB].map((m) => v8DefaultMb(m))).toEqual([256, 1024, 4096, 4096]);
  });

  it('sees an old-generation limit given to node on its command line or in NODE_OPTIONS, in either spelling', () => {
    expect(heapFlagGiven(['--max-old-space-size=1536'], undefined)).toBe(true);
    expect(heapFlagGiven(['--max_old_space_size=1536'], undefined)).toBe(true);
    expect(heapFlagGiven(['--disable-warning=TimeoutNegativeWarning'], '--enable-source-maps --max-old-space-size=900')).toBe(true);
    expect(heapFlagGiven(['--max-semi-space-size=16'], '--disable-warning=X')).toBe(false);
    expect(heapFlagGiven([], undefined)).toBe(false);
  });
});
