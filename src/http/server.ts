// The REST API (`/api/v1`, OpenAPI at /api/v1/openapi.json): alerts from the store (the triage
// queue with filters, sorts, cursors and counts, one in full, case work recorded under the
// token's name: status with disposition, assignment, notes, bulk status; a live SSE stream of
// new and changed alerts), the console's stats and health history, rules
// (counters, latency, enable/disable at runtime), a key's live state and an alert explained,
// latency histograms, health, Prometheus metrics, the dashboard page, the input partitions'
// event time with an operator's watermark reset, and the audit log. One file per route
// group under routes/; errors are JSON `{ error: { code, message } }` with a code of ours
// (errors.ts), bad input is a 4xx. The MCP endpoint (/mcp, src/mcp/) serves the same store,
// rules, bus and state query to AI assistants.
import swagger from '@fastify/swagger';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MCP_SETTINGS } from '../config/mcp-settings.ts';
import type { ExplainOptions } from '../core/explain/explain.ts';
import type { McpSettings } from '../config/mcp-settings.ts';
import { createMcpContext } from '../mcp/context.ts';
import { mcpRoute } from '../mcp/http.ts';
import { HealthHistory } from '../metrics/health-history.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { LoadedRule } from '../rules/load-rules.ts';
import type { AlertStore } from '../store/alert-store.ts';
import type { AuditLog } from '../store/audit-log.ts';
import { AlertBus } from '../store/alert-bus.ts';
import { guard, identify } from './auth.ts';
import type { Tokens } from './auth.ts';
import type { RouteContext } from './context.ts';
import { installErrorHandlers } from './errors.ts';
import { createMetrics, NO_SIGNALS } from './metrics.ts';
import type { Signals } from './metrics.ts';
import type { BundleControl, RuleControl } from './rule-control.ts';
import type { StateQuery } from './state-query.ts';
import type { StreamControl } from './stream-control.ts';
import { alertStreamRoute } from './routes/alert-stream.ts';
import { alertActionRoutes } from './routes/alert-actions.ts';
import { alertRoutes } from './routes/alerts.ts';
import { consoleRoutes } from './routes/console.ts';
import { auditRoutes } from './routes/audit.ts';
import { ruleBundleRoutes } from './routes/rule-bundles.ts';
import { ruleRoutes } from './routes/rules.ts';
import { stateRoutes } from './routes/state.ts';
import { streamRoutes } from './routes/streams.ts';
import { systemRoutes } from './routes/system.ts';
import type { Readiness } from './routes/system.ts';

export type { RuleControl } from './rule-control.ts';
export type { StateQuery } from './state-query.ts';
export type { StreamControl } from './stream-control.ts';

export interface ApiOptions {
  readonly store: AlertStore;
  readonly rules: RuleControl;
  /** Key state, contexts and alert explanations; without it those routes answer 503. */
  readonly state?: StateQuery;
  readonly tokens: Tokens;
  readonly bus?: AlertBus;
  readonly latency?: LatencyRecorder;
  readonly ready?: Readiness;
  /** Counters and gauges of the runner for /metrics (events, dead letters, lag...). */
  readonly signals?: () => Signals;
  readonly now?: () => number;
  /** SSE heartbeat interval (ms). */
  readonly heartbeatMs?: number;
  /** Called with errors that become a 500 (to log them; the client gets a code only). */
  readonly onInternalError?: (err: unknown) => void;
  /** The loaded rules with their modules: what MCP's describe_rule, run_backtest and explain_key read. */
  readonly ruleModules?: readonly LoadedRule[];
  /** The runner's engine options: MCP's explain_key replays a file with them (default: cepheus explain's). */
  readonly engineOptions?: ExplainOptions['engine'];
  /** The MCP endpoint at /mcp (docs/mcp.md); on by default. */
  readonly mcp?: McpSettings;
  /** The instance's name, on every metric sample (`cepheus_instance`). */
  readonly instance?: string;
  /** Interval of the health history the console charts (ms; 0: no timer, tests call sample()). */
  readonly healthSampleMs?: number;
  /** Input partitions and watermark resets (the service); without it those routes answer 503. */
  readonly streams?: StreamControl;
  /** Where changes are recorded (GET /api/v1/audit); needed with `streams`. */
  readonly audit?: AuditLog;
  /** The rule set as a log (the service): /api/v1/rule-bundles; bodies up to twice `maxBundleBytes`. */
  readonly bundles?: { readonly control: BundleControl; readonly maxBundleBytes: number };
}

export async function buildApi(opts: ApiOptions): Promise<FastifyInstance> {
  if (opts.streams !== undefined && opts.audit === undefined) throw new Error('buildApi: stream control needs an audit log (every watermark reset is recorded)');
  // Unknown query parameters are an error: a typo must not silently widen a filter.
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024, ajv: { customOptions: { removeAdditional: false, coerceTypes: true } } });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Cepheus API', version: '1', description: 'Alerts, rules, latency and health of a Cepheus engine. Bearer tokens: read or admin scope.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  installErrorHandlers(app, opts.onInternalError);
  const signals = opts.signals ?? (() => NO_SIGNALS);
  const history = new HealthHistory(signals, () => opts.store.count(), opts.latency, { intervalMs: opts.healthSampleMs || 5000 });
  // Who alerts can be assigned to: the configured tokens' names (short-form tokens have none).
  const people = [...new Set(Object.keys(opts.tokens).flatMap((t) => (typeof opts.tokens[t] === 'string' ? [] : [identify(opts.tokens, t)?.name ?? ''])))].filter(Boolean).sort();
  const ctx: RouteContext = {
    store: opts.store, rules: opts.rules, ruleModules: opts.ruleModules ?? [], bus: opts.bus ?? new AlertBus(), latency: opts.latency, history, people, now: opts.now ?? Date.now,
    read: guard(opts.tokens, 'read'), admin: guard(opts.tokens, 'admin'),
  };
  if (opts.healthSampleMs !== 0) {
    app.addHook('onReady', () => history.start());
    app.addHook('onClose', () => history.stop());
  }
  const metrics = createMetrics(opts.rules, opts.store, opts.latency, signals, opts.instance);
  systemRoutes(app, ctx, metrics, opts.ready ?? (() => ({ ready: true, reasons: [] })));
  alertRoutes(app, ctx);
  alertActionRoutes(app, ctx);
  consoleRoutes(app, ctx);
  alertStreamRoute(app, ctx, opts.heartbeatMs ?? 15_000);
  ruleRoutes(app, ctx);
  ruleBundleRoutes(app, ctx, opts.bundles?.control, opts.bundles?.maxBundleBytes ?? 1_048_576);
  stateRoutes(app, ctx, opts.state);
  streamRoutes(app, ctx, opts.streams, opts.audit);
  auditRoutes(app, ctx, opts.audit);
  const mcp = opts.mcp ?? DEFAULT_MCP_SETTINGS;
  if (mcp.enabled) {
    mcpRoute(app, opts.tokens, createMcpContext({
      store: opts.store, rules: opts.rules, ruleModules: opts.ruleModules ?? [], state: opts.state, engine: opts.engineOptions, bus: ctx.bus, latency: opts.latency, now: ctx.now, settings: mcp,
      ...(opts.onInternalError === undefined ? {} : { onInternalError: opts.onInternalError }),
    }));
  }
  return app;
}
