// Input and output schemas of the MCP tools (zod; advertised as JSON Schema draft-07 and
// enforced on every call). Inputs mirror the REST filters; outputs describe what views.ts
// builds, with the `untrusted` wrapper around event data and the `truncated` list of cuts.
// Key state and explanations: state-schemas.ts.
import { z } from 'zod';
import { SEVERITIES } from '../core/rule-types.ts';
import { ALERT_STATUSES } from '../store/alert-store.ts';

const MAX_EPOCH_MS = 8_640_000_000_000_000;
export const time = z.union([z.number().int().min(-MAX_EPOCH_MS).max(MAX_EPOCH_MS), z.iso.datetime()])
  .describe('epoch milliseconds, or an ISO 8601 date-time in UTC (2026-02-10T17:56:13Z)');
export const alertId = z.string().regex(/^al_[0-9a-f]{32}$/, 'expected an alert id: al_ and 32 hex digits');
export const ruleId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a rule id (kebab-case)');
const severity = z.enum(SEVERITIES);
const status = z.enum(ALERT_STATUSES);

export const AlertFilterShape = {
  rule: ruleId.optional().describe('only alerts of this rule'),
  key: z.string().min(1).max(256).optional().describe('only alerts on this key (account, IP, instrument...)'),
  severity: severity.optional(),
  status: status.optional(),
  from: time.optional().describe('inclusive lower bound on `time`'),
  to: time.optional().describe('inclusive upper bound on `time`'),
  time: z.enum(['event', 'stored']).default('event').describe('what from/to bound: the detection event time (default) or when the store received the alert'),
};

export const SearchAlertsInput = z.object({
  ...AlertFilterShape,
  limit: z.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
}).strict();

export const GetAlertInput = z.object({ id: alertId }).strict();

export const SetStatusInput = z.object({
  id: alertId,
  status: status,
  note: z.string().min(1).max(4000).describe('why: kept in the alert history with your token\'s name'),
}).strict();

export const RuleInput = z.object({ id: ruleId }).strict();
export const NoInput = z.object({}).strict();

export const BacktestInput = z.object({
  rules: z.array(ruleId).min(1).max(20).describe('ids of loaded or bundled rules (rule modules are code: paths are not accepted)'),
  file: z.string().min(1).max(512).default('default.avro').describe('event file (.avro, .jsonl, .ndjson) relative to the backtest directory'),
  maxEvents: z.number().int().min(1).optional().describe('stop after this many events (default and ceiling: the server\'s limit)'),
  maxWallMs: z.number().int().min(100).optional().describe('stop after this much wall time (default and ceiling: the server\'s limit)'),
  sampleAlerts: z.number().int().min(0).max(100).default(10).describe('alerts to return (the first raised)'),
}).strict();

// ---- outputs

const cut = z.object({ path: z.string(), kept: z.number().int(), total: z.number().int() });
export const truncated = z.array(cut).optional().describe('present when the result was cut to the size limit: what was cut');
export const alertSummary = z.object({
  id: z.string(), ruleId: z.string(), ruleVersion: z.number().int(), ruleKind: z.enum(['sequence', 'threshold', 'correlation']), severity, status,
  keySpace: z.string(), firstEventTime: z.string(), lastEventTime: z.string(), detectedAtEventTime: z.string(), storedAt: z.string(),
  untrusted: z.object({ key: z.string(), message: z.string() }),
});
const history = z.object({ at: z.string(), from: status, to: status, actor: z.string(), note: z.string() });
const source = z.object({ topic: z.string(), partition: z.number().int(), offset: z.string() }).nullable();
const matched = z.array(z.object({ step: z.string(), events: z.array(z.object({ event: z.record(z.string(), z.unknown()), source })) }));

export const AlertListOutput = z.object({ notice: z.string(), items: z.array(alertSummary), nextCursor: z.string().nullable(), truncated });

export const AlertOutput = alertSummary.omit({ untrusted: true }).extend({
  notice: z.string(),
  aggregates: z.record(z.string(), z.number()),
  history: z.array(history),
  untrusted: z.object({ key: z.string(), message: z.string(), matched, context: z.unknown() }),
  truncated,
});

const latency = z.object({ count: z.number(), p50: z.number(), p90: z.number(), p99: z.number(), p999: z.number(), max: z.number() }).nullable();
const ruleStats = z.object({
  id: z.string(), version: z.number().int(), kind: z.enum(['sequence', 'threshold', 'correlation']), severity: severity.nullable(), description: z.string().nullable(),
  tags: z.array(z.string()), keySpace: z.string().nullable(), enabled: z.boolean(), eventsSeen: z.number(), alerts: z.number(), errors: z.number(),
  overflowDropped: z.number(), stateKeys: z.number(), partialMatches: z.number(), latencyUs: latency,
});

export const RuleListOutput = z.object({ items: z.array(ruleStats), truncated });
export const RuleOutput = ruleStats.extend({ definition: z.record(z.string(), z.unknown()), truncated });

export const BacktestOutput = z.object({
  notice: z.string(),
  file: z.string(), rules: z.array(z.string()),
  stoppedBy: z.enum(['end', 'maxEvents', 'maxWallMs']).describe('end: the whole file was read'),
  events: z.number().int(), inputErrors: z.number().int(), late: z.number().int(), alerts: z.number().int(),
  alertsByRule: z.record(z.string(), z.number()), ruleErrors: z.number().int(), overflowDropped: z.number().int(),
  firstEventTime: z.string().nullable(), lastEventTime: z.string().nullable(), wallMs: z.number(),
  scores: z.record(z.string(), z.object({ positives: z.number(), detected: z.number(), precision: z.number(), recall: z.number(), nearMissAlerts: z.number() })).nullable()
    .describe('against the file\'s labels (<file>.labels.json), when it has them and was read to the end'),
  sample: z.array(alertSummary.omit({ status: true, storedAt: true })),
  truncated,
});
