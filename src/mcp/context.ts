// What the MCP layer is given: the same parts of the runner the REST routes read (the alert
// store, the rule control, the latency recorder, the alert bus, the state query), the loaded
// rule modules (for what rules mean, backtests and explain runs) and the engine options they
// run with, its settings, and the shared per-server state: the rate limiter (per token,
// across sessions) and the file jobs (backtests and explain runs, one at a time).
import type { McpSettings } from '../config/mcp-settings.ts';
import type { RuleControl } from '../http/rule-control.ts';
import type { StateQuery } from '../http/state-query.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { AlertBus } from '../store/alert-bus.ts';
import type { AlertStore } from '../store/alert-store.ts';
import { FileJobs } from './file-jobs.ts';
import type { EngineSettings } from './file-jobs.ts';
import { RateLimiter } from './rate-limit.ts';

/** What `cepheus explain` assumes when the runner does not say (its --out-of-order-ms default). */
export const DEFAULT_EXPLAIN_ENGINE: EngineSettings = { outOfOrdernessMs: 5000 };

export interface McpParts {
  readonly store: AlertStore;
  readonly rules: RuleControl;
  /** The rules the runner loaded, with their module files. */
  readonly ruleModules: readonly LoadedRule[];
  /** Live key state, contexts and alert explanations (the REST state routes' source); undefined when the runner has none. */
  readonly state?: StateQuery | undefined;
  /** The runner's engine options: explain_key replays with them (default DEFAULT_EXPLAIN_ENGINE). */
  readonly engine?: EngineSettings | undefined;
  readonly bus: AlertBus;
  readonly latency: LatencyRecorder | undefined;
  readonly now: () => number;
  readonly settings: McpSettings;
  /** Called with unexpected errors (a tool then answers CEP_ERR_INTERNAL without the cause). */
  readonly onInternalError?: (err: unknown) => void;
}

export interface McpContext extends McpParts {
  readonly limiter: RateLimiter;
  readonly fileJobs: FileJobs;
  readonly onInternalError: (err: unknown) => void;
}

export function createMcpContext(parts: McpParts): McpContext {
  return {
    ...parts,
    limiter: new RateLimiter(parts.settings.requestsPerMinute, parts.settings.burst, parts.now),
    fileJobs: new FileJobs(parts.settings.backtest, parts.ruleModules, parts.engine ?? DEFAULT_EXPLAIN_ENGINE),
    onInternalError: parts.onInternalError ?? (() => undefined),
  };
}
