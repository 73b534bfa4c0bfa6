// What the state and explain routes need of whatever runs the rules: the demo's one engine
// (src/explain/engine-state.ts) or the service's shards (src/service/state-query.ts).
// Promises, because the service answers from its worker threads.
import type { Alert } from '../core/alert.ts';
import type { AlertExplanation } from '../core/explain/alert.ts';
import type { ContextView, KeyStateView, RecentIssues } from '../core/state-view.ts';

export type { RecentIssues } from '../core/state-view.ts';

export interface KeyStateReport extends KeyStateView {
  readonly recent: RecentIssues;
}

export interface AlertExplanationReport extends AlertExplanation {
  /** `path:line` of the rule's definition, when the runner loaded it from a module. */
  readonly source: string | null;
}

export interface StateQuery {
  /** Undefined when no rule has this id. */
  keyState(ruleId: string, key: string): Promise<KeyStateReport | undefined>;
  /** Undefined when no loaded rule uses a context with this id. */
  context(key: string, contextId: string): Promise<ContextView | undefined>;
  explainAlert(alert: Alert): Promise<AlertExplanationReport>;
}
