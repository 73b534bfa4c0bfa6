// Settings of the MCP endpoint (`api.mcp` in the service config; the demo uses the defaults):
// per-token request rate and session count, the size cap on results, and the bounds of the
// backtest tool (which directory its files may come from, how many events, how long).
import { z } from 'zod';

export const DEFAULT_BACKTEST_SETTINGS = { dir: 'fixtures', maxEvents: 1_000_000, maxWallMs: 20_000 } as const;

export const BacktestSettingsSchema = z.object({
  /** Event files a backtest may read live under this directory (relative to the working directory). */
  dir: z.string().min(1).default(DEFAULT_BACKTEST_SETTINGS.dir),
  /** Events read at most per backtest. */
  maxEvents: z.number().int().min(1).max(100_000_000).default(DEFAULT_BACKTEST_SETTINGS.maxEvents),
  /** Wall time per backtest; the worker thread running it is ended past this. */
  maxWallMs: z.number().int().min(100).max(600_000).default(DEFAULT_BACKTEST_SETTINGS.maxWallMs),
}).strict();

export const DEFAULT_MCP_SETTINGS = {
  enabled: true, requestsPerMinute: 120, burst: 30, maxResultBytes: 256 * 1024, maxSessionsPerToken: 8, backtest: { ...DEFAULT_BACKTEST_SETTINGS },
};

export const McpSettingsSchema = z.object({
  enabled: z.boolean().default(DEFAULT_MCP_SETTINGS.enabled),
  /** Tool calls, resource reads and prompts per minute per token (a token bucket refilled at this rate). */
  requestsPerMinute: z.number().int().min(1).max(1_000_000).default(DEFAULT_MCP_SETTINGS.requestsPerMinute),
  /** How many requests a token may make at once before the rate applies. */
  burst: z.number().int().min(1).max(100_000).default(DEFAULT_MCP_SETTINGS.burst),
  /** Results (tool, resource, prompt) over this many bytes of JSON are cut and marked `truncated`. */
  maxResultBytes: z.number().int().min(4096).max(64 * 1024 * 1024).default(DEFAULT_MCP_SETTINGS.maxResultBytes),
  /** Sessions one token may hold; opening one more closes its oldest. */
  maxSessionsPerToken: z.number().int().min(1).max(1000).default(DEFAULT_MCP_SETTINGS.maxSessionsPerToken),
  backtest: BacktestSettingsSchema.default(DEFAULT_MCP_SETTINGS.backtest),
}).strict();

export type McpSettings = z.infer<typeof McpSettingsSchema>;
export type BacktestSettings = z.infer<typeof BacktestSettingsSchema>;
