// Live key state, contexts and explanations as the MCP layer shows them, with the trust
// boundary of views.ts: what the runner computed (rule ids, steps waited for, deadlines,
// window bounds, aggregates, the watermark, counts) stays outside; every value copied from an
// event (the key, events, contexts built from events, predicate reads, messages) sits under
// an `untrusted` field next to the Cepheus data it belongs to. Times are ISO 8601 (UTC).
import type { Entry, Explanation } from '../core/explain/timeline.ts';
import type { JsonValue } from '../core/json.ts';
import type { ContextView, OperatorView } from '../core/state-view.ts';
import type { AnyEvent } from '../events/types.ts';
import type { AlertExplanationReport, KeyStateReport } from '../http/state-query.ts';
import type { ExplainFileRun } from './file-jobs.ts';
import { DATA_NOTICE, iso } from './views.ts';

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export type OperatorStateView =
  | {
    readonly kind: 'sequence';
    readonly partialMatches: readonly {
      readonly status: 'partial' | 'complete';
      readonly waitsFor: readonly string[];
      readonly deadline: string;
      readonly blocked: boolean;
      readonly untrusted: { readonly steps: readonly { readonly step: string; readonly events: readonly AnyEvent[] }[] };
    }[];
  }
  | {
    readonly kind: 'threshold';
    readonly windows: readonly {
      readonly start: string;
      readonly end: string;
      readonly aggregates: Readonly<Record<string, number | null>>;
      readonly untrusted: { readonly events: readonly AnyEvent[] };
    }[];
  }
  | { readonly kind: 'correlation'; readonly roles: readonly { readonly role: string; readonly untrusted: { readonly candidates: readonly AnyEvent[] } }[] };

export interface KeyStateOut {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly keySpace: string;
  readonly watermark: string | null;
  readonly lastSeen: string | null;
  readonly state: OperatorStateView;
  readonly recent: {
    readonly late: readonly { readonly watermark: string; readonly untrusted: { readonly event: AnyEvent } }[];
    readonly overflow: readonly { readonly ruleId: string; readonly dropped: number; readonly watermark: string | null }[];
  };
  readonly untrusted: { readonly key: string; readonly context: JsonValue };
}

function operatorView(s: OperatorView): OperatorStateView {
  switch (s.kind) {
    case 'sequence':
      return {
        kind: 'sequence',
        partialMatches: s.partialMatches.map((m) => ({ status: m.status, waitsFor: m.waitsFor, deadline: iso(m.deadline), blocked: m.blocked, untrusted: { steps: m.steps } })),
      };
    case 'threshold':
      return { kind: 'threshold', windows: s.windows.map((w) => ({ start: iso(w.start), end: iso(w.end), aggregates: w.aggregates, untrusted: { events: w.events } })) };
    case 'correlation':
      return { kind: 'correlation', roles: s.roles.map((r) => ({ role: r.role, untrusted: { candidates: r.candidates } })) };
    default: {
      const never: never = s;
      return never;
    }
  }
}

/** A key's live state for a rule (GET /api/v1/rules/:id/keys/:key) as MCP shows it. */
export function keyStateView(r: KeyStateReport): KeyStateOut {
  return {
    ruleId: r.ruleId, ruleVersion: r.ruleVersion, keySpace: r.keySpace, watermark: isoOrNull(r.watermark), lastSeen: isoOrNull(r.lastSeen),
    state: operatorView(r.state),
    recent: {
      late: r.recent.late.map((l) => ({ watermark: iso(l.watermark), untrusted: { event: l.event } })),
      overflow: r.recent.overflow.map((o) => ({ ruleId: o.ruleId, dropped: o.dropped, watermark: isoOrNull(o.watermark) })),
    },
    untrusted: { key: r.key, context: r.context },
  };
}

export interface ContextOut {
  readonly contextId: string;
  readonly keySpace: string;
  readonly lastSeen: string | null;
  readonly untrusted: { readonly key: string; readonly value: JsonValue };
}

export function contextView(c: ContextView): ContextOut {
  return { contextId: c.contextId, keySpace: c.keySpace, lastSeen: isoOrNull(c.lastSeen), untrusted: { key: c.key, value: c.value } };
}

/** An alert explained (GET /api/v1/alerts/:id/explain): its events, their checks and the timeline read event data. */
export function alertExplanationView(x: AlertExplanationReport) {
  return {
    notice: DATA_NOTICE, alertId: x.alertId, ruleId: x.ruleId, ruleVersion: x.ruleVersion, source: x.source, reproduced: x.reproduced, note: x.note,
    untrusted: { key: x.key, steps: x.steps, decision: x.decision, context: x.context, timeline: x.timeline },
  };
}

export interface ExplainKeyView {
  readonly notice: string;
  readonly file: string;
  readonly ruleId: string;
  readonly ruleKind: Explanation['ruleKind'];
  readonly source: string;
  readonly rule: readonly string[];
  readonly stoppedBy: ExplainFileRun['stoppedBy'];
  readonly recordsRead: number;
  readonly inputErrors: number;
  readonly verdict: {
    readonly reason: string;
    readonly untrusted: { readonly answer: string; readonly read: readonly string[]; readonly unread: readonly string[]; readonly evidence: readonly Entry[] };
  } | null;
  readonly untrusted: {
    readonly key: string;
    readonly text: string;
    readonly timeline: readonly Entry[];
    readonly matches: Explanation['matches'];
    readonly state: Explanation['state'];
  };
}

/** `cepheus explain` over a file as explain_key answers: the verdict first (when asked), the timeline and state as `--json` gives them. */
export function explainKeyView(r: ExplainFileRun): ExplainKeyView {
  const x = r.explanation;
  const w = r.whyNot;
  return {
    notice: DATA_NOTICE, file: r.file, ruleId: x.ruleId, ruleKind: x.ruleKind, source: r.source, rule: r.ruleLines, stoppedBy: r.stoppedBy, recordsRead: r.recordsRead, inputErrors: r.inputErrors,
    verdict: w === null ? null : { reason: w.verdict.reason.kind, untrusted: { answer: w.answer, read: w.verdict.read, unread: w.verdict.unread, evidence: w.evidence } },
    untrusted: { key: x.key, text: r.text, timeline: x.timeline, matches: x.matches, state: x.state },
  };
}
