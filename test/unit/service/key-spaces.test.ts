// The key budget over all shards: one line per key space, and the log lines an operator sees
// when evictions start (at most once a minute per space, an error when active keys went).
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { KeySpaceWatch, budgetLogLines, mergeKeySpaces } from '../../../src/service/key-spaces.ts';

const space = (name: string, keys: number, maxKeys: number | null, evictedIdle = 0, evictedActive = 0) => ({ name, keys, maxKeys, evictedIdle, evictedActive });

describe('key spaces over shards', () => {
  it('sums keys and evictions per space, the budget as configured', () => {
    expect(mergeKeySpaces([
      [space('ip', 3, null), space('account', 100, 500_000, 10, 0)],
      [space('account', 120, 500_000, 5, 2), space('ip', 1, null)],
    ])).toEqual([space('account', 220, 500_000, 15, 2), space('ip', 4, null)]);
    expect(mergeKeySpaces([])).toEqual([]);
  });

  it('logs a space when its evictions grow, at most once a minute, as an error once active keys go', () => {
    const logged = new Map([['ip', { at: 0, idle: 5, active: 0 }]]);
    expect(budgetLogLines([space('account', 9, 10, 0, 0), space('ip', 10, 10, 7, 0)], logged, 30_000)).toEqual([]);
    expect(budgetLogLines([space('account', 10, 10, 3, 0), space('ip', 10, 10, 7, 1)], logged, 61_000)).toEqual([
      { level: 'warn', fields: { keySpace: 'account', idle: 3, active: 0, keys: 10, maxKeys: 10 } },
      { level: 'error', fields: { keySpace: 'ip', idle: 7, active: 1, keys: 10, maxKeys: 10 } },
    ]);
  });

  it('keeps the merged view for /metrics and writes the log lines', () => {
    const lines: unknown[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l)) });
    const w = new KeySpaceWatch(log);
    w.update([[space('account', 10, 10, 2, 0)]], 1_000);
    w.update([[space('account', 10, 10, 4, 0)]], 2_000);
    expect(w.spaces).toEqual([space('account', 10, 10, 4, 0)]);
    expect(lines.map((l) => {
      const { level, msg, keySpace, idle, active, keys, maxKeys } = l as Record<string, unknown>;
      return { level, msg, keySpace, idle, active, keys, maxKeys };
    })).toEqual([{ level: 40, msg: 'key budget: evicted the least recently active keys', keySpace: 'account', idle: 2, active: 0, keys: 10, maxKeys: 10 }]);
  });
});
