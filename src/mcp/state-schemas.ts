// Schemas of live key state and explanations (state-views.ts builds them): get_key_context's
// liveState, explain_alert and explain_key. Event data sits under `untrusted`; timelines,
// matches and final state keep the shapes of `cepheus explain --json` (times in epoch ms there).
import { z } from 'zod';
import { alertId, alertSummary, ruleId, time, truncated } from './schemas.ts';

const event = z.record(z.string(), z.unknown()).describe('an event, every field as produced');
const evaluation = z.object({
  label: z.string().describe("what was evaluated: a step's predicate, not <absence>, where, when, a role"),
  result: z.boolean(),
  reads: z.array(z.object({ path: z.string(), value: z.unknown() })).describe('fields the predicate read, with the value each had'),
  error: z.string().optional(),
});
const entry = z.object({
  kind: z.enum(['event', 'late', 'timer', 'evicted']),
  at: z.number().describe('event time (epoch ms)'),
  event: event.nullable(),
  watermark: z.number().nullable(),
  happened: z.array(z.object({ kind: z.string() }).catchall(z.unknown())).describe('what it did: opened, took, waits, expired, dropped, completed, alert...'),
});
const steps = z.array(z.object({ step: z.string(), events: z.array(event) }));
const iso = z.string().describe('ISO 8601, UTC');

const operatorState = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sequence'),
    partialMatches: z.array(z.object({
      status: z.enum(['partial', 'complete']).describe('complete: every step matched, it waits out a trailing absence until the deadline'),
      waitsFor: z.array(z.string()).describe('the steps the next event may be taken into'),
      deadline: iso.describe('first event time + within: past it, it can no longer complete'),
      blocked: z.boolean().describe('an absence between two steps matched: it may take events into its step, not advance'),
      untrusted: z.object({ steps }),
    })),
  }),
  z.object({
    kind: z.literal('threshold'),
    windows: z.array(z.object({ start: iso, end: iso, aggregates: z.record(z.string(), z.number().nullable()), untrusted: z.object({ events: z.array(event) }) })),
  }),
  z.object({ kind: z.literal('correlation'), roles: z.array(z.object({ role: z.string(), untrusted: z.object({ candidates: z.array(event) }) })) }),
]);

export const keyState = z.object({
  ruleId: z.string(), ruleVersion: z.number().int(), keySpace: z.string(),
  watermark: iso.nullable().describe("the engine's watermark (null before the first event)"),
  lastSeen: iso.nullable().describe("event time of the key's last event (null when the key holds nothing)"),
  state: operatorState,
  recent: z.object({
    late: z.array(z.object({ watermark: iso, untrusted: z.object({ event }) })).describe('recent events of the key that came behind the watermark by more than the allowed lateness'),
    overflow: z.array(z.object({ ruleId: z.string(), dropped: z.number(), watermark: iso.nullable() })).describe('recent drops over maxPartialMatches / maxWindowEvents'),
  }),
  untrusted: z.object({ key: z.string(), context: z.unknown() }),
});

const contextOut = z.object({ contextId: z.string(), keySpace: z.string(), lastSeen: iso.nullable(), untrusted: z.object({ key: z.string(), value: z.unknown() }) });

export const LiveState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('live'), keyState: keyState.nullable().describe('with ruleId'), context: contextOut.nullable().describe('with contextId') }),
  z.object({ status: z.literal('unavailable'), code: z.literal('CEP_ERR_STATE_UNAVAILABLE'), reason: z.string() }),
  z.object({ status: z.literal('not-requested'), reason: z.string() }),
]).describe('the key as the engine holds it now: live (answered), unavailable (this runner cannot answer: a standby instance, say) or not-requested (no ruleId or contextId)');

export const KeyContextInput = z.object({
  key: z.string().min(1).max(256),
  keySpace: z.string().min(1).max(64).optional().describe('account, ip, instrument...: only alerts of rules keyed this way'),
  limit: z.number().int().min(1).max(50).default(10).describe('recent alerts to return'),
  ruleId: ruleId.optional().describe("the key's live state in this rule: partial matches, windows or candidates, deadlines, context, watermark, recent late and overflow events"),
  contextId: z.string().min(1).max(128).optional().describe('one context of the key as the engine holds it now (account, ...)'),
}).strict();

export const KeyContextOutput = z.object({
  notice: z.string(),
  liveState: LiveState,
  alerts: z.array(alertSummary),
  latestContext: z.object({ alertId: z.string(), ruleId: z.string(), detectedAtEventTime: z.string(), untrusted: z.object({ context: z.unknown() }) }).nullable()
    .describe("the context snapshot of the key's newest alert, at its decision time"),
  truncated,
});

export const ExplainAlertInput = z.object({ id: alertId }).strict();

export const ExplainAlertOutput = z.object({
  notice: z.string(),
  alertId: z.string(), ruleId: z.string(), ruleVersion: z.number().int(),
  source: z.string().nullable().describe("path:line of the rule's definition"),
  reproduced: z.boolean().describe('whether replaying raised this alert again: the checks are then those at decision time'),
  note: z.string().nullable().describe('why not, when it did not'),
  untrusted: z.object({
    key: z.string(),
    steps: z.array(z.object({ step: z.string(), events: z.array(z.object({ id: z.string(), kind: z.string(), ts: z.number(), checks: z.array(evaluation) })) }))
      .describe('each matched event with the predicate that let it in and what it read'),
    decision: z.object({ aggregates: z.record(z.string(), z.number().nullable()), checks: z.array(evaluation) }).nullable().describe('thresholds: the aggregates and `when` at decision time'),
    context: z.unknown().describe("the key's context snapshot the alert carries"),
    timeline: z.array(entry).describe("the timeline entries of the alert's events and of its decision"),
  }),
  truncated,
});

export const ExplainKeyInput = z.object({
  rule: ruleId.describe('a rule this runner loaded'),
  key: z.string().min(1).max(256).describe("the key in the rule's key space (account, IP, instrument...)"),
  file: z.string().min(1).max(512).default('default.avro').describe('event file (.avro, .jsonl, .ndjson) relative to the backtest directory: explained from this file, not the live topic'),
  expect: z.array(z.string().min(1).max(128)).min(1).max(100).optional().describe('event ids that should have raised an alert: answers why they did not, in one sentence with the evidence'),
  from: time.optional().describe('show the timeline from this event time (the answer to expect still reads the whole history)'),
  to: time.optional().describe('end the input at this event time: the timeline and the state are as of then'),
}).strict();

export const ExplainKeyOutput = z.object({
  notice: z.string(),
  file: z.string(), ruleId: z.string(), ruleKind: z.enum(['sequence', 'threshold', 'correlation']), source: z.string(),
  rule: z.array(z.string()).describe('the rule in a line or two: kind, bound, skip strategy, steps / window / roles'),
  stoppedBy: z.enum(['end', 'maxEvents', 'maxWallMs']).describe('end: the file (or `to`) was read to the end; otherwise a server bound cut the input and the answer is about that prefix'),
  recordsRead: z.number().int(), inputErrors: z.number().int(),
  verdict: z.object({
    reason: z.string().describe('how the candidate made of the expected events failed: late, not-opened, not-taken, lost, incomplete, filtered, left-window, condition, window-open, not-candidate, no-set, other-set, or fired'),
    untrusted: z.object({
      answer: z.string().describe('the one sentence'),
      read: z.array(z.string()).describe('expected events the rule read at the key, in processing order'),
      unread: z.array(z.string()).describe('expected events it did not read (another key, another kind, not in the file)'),
      evidence: z.array(entry),
    }),
  }).nullable().describe('with expect'),
  untrusted: z.object({
    key: z.string(),
    text: z.string().describe('what `cepheus explain` prints for the same question'),
    timeline: z.array(entry),
    matches: z.record(z.string(), z.unknown()).describe('the last view of every numbered partial match (#1, #2...)'),
    state: z.record(z.string(), z.unknown()).describe('what the engine holds for the (rule, key) at the end'),
  }),
  truncated,
});
