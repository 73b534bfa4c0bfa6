// The service's answers to the state routes (src/http/state-query.ts): a key's state and a
// context from the shard that owns the key (a task queued after the rounds submitted so far),
// and an alert explained by replaying its own events through its rule. The service keeps no
// history of a key, so a rule whose predicates read the key's context may not give the alert
// again from its events alone: the answer then says `reproduced: false` and why.
import type { EngineOptions } from '../core/engine/index.ts';
import { CepError } from '../core/errors.ts';
import { explainAlert } from '../core/explain/alert.ts';
import { sourceOf } from '../explain/run-explain.ts';
import type { StateQuery } from '../http/state-query.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { Rounds } from '../workers/rounds.ts';

/** What the answers read of the pipeline (pipeline.ts): the shards of the run holding the partitions, if any. */
export interface HeldShards {
  heldRun(): { readonly rounds: Pick<Rounds, 'state' | 'context'> } | undefined;
}

export function serviceStateQuery(pipeline: HeldShards, loaded: readonly LoadedRule[], engine: Partial<Omit<EngineOptions, 'owns' | 'explain' | 'sweepIntervalMs'>>): StateQuery {
  const rules = loaded.map((l) => l.rule);
  const rounds = () => {
    const r = pipeline.heldRun()?.rounds;
    if (r === undefined) throw new CepError('CEP_ERR_STATE_UNAVAILABLE', 'this instance holds no partitions (standby, restoring or stopped); ask the instance that does');
    return r;
  };
  return {
    async keyState(ruleId, key) {
      const r = await rounds().state(ruleId, key);
      return r === null ? undefined : { ...r.view, recent: r.recent };
    },
    async context(key, contextId) {
      return (await rounds().context(key, contextId)) ?? undefined;
    },
    explainAlert(alert) {
      const events = alert.matched.flatMap((s) => s.events.map((m) => m.event)).sort((a, b) => a.ts - b.ts);
      const l = loaded.find((r) => r.rule.id === alert.ruleId);
      return Promise.resolve({ source: l === undefined ? null : sourceOf(l), ...explainAlert(rules, alert, events, engine) });
    },
  };
}
