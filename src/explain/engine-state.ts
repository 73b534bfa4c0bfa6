// StateQuery (src/http/state-query.ts) over one in-process engine, as the demo runs it: key
// state and contexts from the engine itself, recent issues from the effects the runner
// records, and alerts explained by replaying the key's history (from where the runner
// read its events) up to the alert.
import type { Alert } from '../core/alert.ts';
import type { Engine, EngineOptions } from '../core/engine/index.ts';
import { explainAlert } from '../core/explain/alert.ts';
import type { AnyEvent } from '../events/types.ts';
import type { StateQuery } from '../http/state-query.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { RecentKeyIssues } from './recent.ts';
import { sourceOf } from './run-explain.ts';

export interface EngineStateOptions {
  readonly engine: Engine;
  readonly loaded: readonly LoadedRule[];
  readonly recent: RecentKeyIssues;
  /** The events the engine read, in arrival order (or at least the key's): the replay explain runs on. */
  readonly history: (alert: Alert) => AsyncIterable<AnyEvent> | Iterable<AnyEvent>;
  readonly engineOptions: Partial<Omit<EngineOptions, 'owns' | 'explain' | 'sweepIntervalMs'>>;
}

export function engineStateQuery(o: EngineStateOptions): StateQuery {
  const rules = o.loaded.map((l) => l.rule);
  return {
    keyState(ruleId, key) {
      const view = o.engine.inspect(ruleId, key);
      const rule = rules.find((r) => r.id === ruleId);
      return Promise.resolve(view === undefined || rule === undefined ? undefined : { ...view, recent: o.recent.of(rule, key) });
    },
    context(key, contextId) {
      return Promise.resolve(o.engine.keyContext(key, contextId));
    },
    async explainAlert(alert) {
      const events: AnyEvent[] = [];
      for await (const e of o.history(alert)) {
        if (e.ts > alert.detectedAtEventTime + (o.engineOptions.outOfOrdernessMs ?? 0) + 1) break;
        events.push(e);
      }
      const l = o.loaded.find((r) => r.rule.id === alert.ruleId);
      return { source: l === undefined ? null : sourceOf(l), ...explainAlert(rules, alert, events, o.engineOptions) };
    },
  };
}
