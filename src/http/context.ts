// What every route group is given: the parts of the runner it reads and the guards.
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { HealthHistory } from '../metrics/health-history.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { AlertBus } from '../store/alert-bus.ts';
import type { RuleControl } from './rule-control.ts';

export interface RouteContext {
  readonly store: AlertStore;
  readonly rules: RuleControl;
  readonly ruleModules: readonly LoadedRule[];
  readonly bus: AlertBus;
  readonly latency: LatencyRecorder | undefined;
  readonly history: HealthHistory;
  /** Names of the configured tokens: who an alert can be assigned to. */
  readonly people: readonly string[];
  readonly now: () => number;
  readonly read: preHandlerAsyncHookHandler;
  readonly admin: preHandlerAsyncHookHandler;
}
