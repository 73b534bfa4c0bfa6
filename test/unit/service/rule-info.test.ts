// One rule list from every shard's: counters, state keys and partial matches add up; the
// rest (id, version, kind, enabled) is the first shard's, the same on every shard.
import { describe, expect, it } from 'vitest';
import { mergeRuleInfos } from '../../../src/service/rule-info.ts';

describe('merged rule infos', () => {
  it('adds up rule counters across shards', () => {
    const rule = (events: number, keys: number) => ({ id: 'r', version: 1, kind: 'sequence' as const, enabled: false, stats: { eventsSeen: events, alerts: 1, errors: 0, overflowDropped: 2 }, stateKeys: keys, held: 3 });
    expect(mergeRuleInfos([[rule(10, 4)], [rule(5, 6)]])).toEqual([{ id: 'r', version: 1, kind: 'sequence', enabled: false, stats: { eventsSeen: 15, alerts: 2, errors: 0, overflowDropped: 4 }, stateKeys: 10, held: 6 }]);
  });

  it('is empty without shards', () => {
    expect(mergeRuleInfos([])).toEqual([]);
  });
});
