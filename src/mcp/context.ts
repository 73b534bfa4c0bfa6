// What the MCP layer is given: the same parts of the runner the REST routes read (the alert
// store, the rule control, the latency recorder, the alert bus), the loaded rule modules (for
// what rules mean and for backtests), its settings, and the shared per-server state: the
// rate limiter (per token, across sessions) and the backtest runner (one at a time).
import type { McpSettings } from '../config/mcp-settings.ts';
import type { RuleControl } from '../http/rule-control.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { AlertBus } from '../store/alert-bus.ts';
import type { AlertStore } from '../store/alert-store.ts';
import { BacktestRunner } from './backtest.ts';
import { RateLimiter } from './rate-limit.ts';

export interface McpParts {
  readonly store: AlertStore;
  readonly rules: RuleControl;
  /** The rules the runner loaded, with their module files. */
  readonly ruleModules: readonly LoadedRule[];
  readonly bus: AlertBus;
  readonly latency: LatencyRecorder | undefined;
  readonly now: () => number;
  readonly settings: McpSettings;
  /** Called with unexpected errors (a tool then answers CEP_ERR_INTERNAL without the cause). */
  readonly onInternalError?: (err: unknown) => void;
}

export interface McpContext extends McpParts {
  readonly limiter: RateLimiter;
  readonly backtests: BacktestRunner;
  readonly onInternalError: (err: unknown) => void;
}

export function createMcpContext(parts: McpParts): McpContext {
  return {
    ...parts,
    limiter: new RateLimiter(parts.settings.requestsPerMinute, parts.settings.burst, parts.now),
    backtests: new BacktestRunner(parts.settings.backtest, parts.ruleModules),
    onInternalError: parts.onInternalError ?? (() => undefined),
  };
}
