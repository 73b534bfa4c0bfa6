// One rule list from every shard's: each shard holds the keys it owns, so counters, state
// keys and partial matches add up; enabled state and versions are the same on every shard.
import type { RuleInfo } from '../core/engine/index.ts';

export function mergeRuleInfos(perShard: readonly (readonly RuleInfo[])[]): RuleInfo[] {
  const first = perShard[0];
  if (first === undefined) return [];
  return first.map((rule, i) => {
    const all = perShard.map((x) => x[i] as RuleInfo);
    const sum = (f: (r: RuleInfo) => number): number => all.reduce((n, x) => n + f(x), 0);
    return {
      ...rule,
      stats: { eventsSeen: sum((x) => x.stats.eventsSeen), alerts: sum((x) => x.stats.alerts), errors: sum((x) => x.stats.errors), overflowDropped: sum((x) => x.stats.overflowDropped) },
      stateKeys: sum((x) => x.stateKeys), held: sum((x) => x.held),
    };
  });
}
