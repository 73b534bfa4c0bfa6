// What every route group is given: the parts of the runner it reads and the guards.
import type { preHandlerAsyncHookHandler } from 'fastify';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { AlertBus } from '../store/alert-bus.ts';
import type { RuleControl } from './rule-control.ts';

export interface RouteContext {
  readonly store: AlertStore;
  readonly rules: RuleControl;
  readonly bus: AlertBus;
  readonly latency: LatencyRecorder | undefined;
  readonly now: () => number;
  readonly read: preHandlerAsyncHookHandler;
  readonly admin: preHandlerAsyncHookHandler;
}
