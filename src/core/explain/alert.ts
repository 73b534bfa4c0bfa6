// Explain an alert: replays events (the key's history up to the alert, or at least the
// alert's own events) through its rule in explain mode, finds the decision that raised the
// alert, and returns, for each of its events, the predicate that let it in with the fields it
// read, and for thresholds the aggregates and the condition at decision time.
import type { EventKind, AnyEvent } from '../../events/types.ts';
import type { Alert } from '../alert.ts';
import type { EngineOptions } from '../engine/index.ts';
import type { JsonValue } from '../json.ts';
import type { AnyRule } from '../rule-types.ts';
import { explain } from './explain.ts';
import type { Entry, Happening } from './timeline.ts';
import type { Evaluation } from './trace.ts';

export interface CheckedEvent {
  readonly id: string;
  readonly kind: EventKind;
  readonly ts: number;
  /** The predicate that let it into its step (or window, or role), with the fields it read. */
  readonly checks: readonly Evaluation[];
}

export interface AlertExplanation {
  readonly alertId: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly key: string;
  /** Whether the replay raised this alert again: checks and aggregates are then those at decision time. */
  readonly reproduced: boolean;
  /** Why not, when it did not. */
  readonly note: string | null;
  readonly steps: readonly { readonly step: string; readonly events: readonly CheckedEvent[] }[];
  /** Thresholds: the aggregates at decision time and what `when` read of them. */
  readonly decision: { readonly aggregates: Readonly<Record<string, number | null>>; readonly checks: readonly Evaluation[] } | null;
  /** The key's context snapshot the alert carries (before its last event was folded in). */
  readonly context: JsonValue;
  /** The timeline entries of the alert's events and of its decision. */
  readonly timeline: readonly Entry[];
}

/** The matches a match forked from, itself included. */
function lineage(timeline: readonly Entry[], match: number): Set<number> {
  const parent = new Map<number, number>();
  for (const e of timeline) for (const h of e.happened) if (h.kind === 'took' && h.from !== null) parent.set(h.match, h.from);
  const out = new Set<number>();
  for (let m: number | undefined = match; m !== undefined && !out.has(m); m = parent.get(m)) out.add(m);
  return out;
}

function checksOf(rule: AnyRule, entry: Entry | undefined, step: string, line: Set<number> | null): Evaluation[] {
  if (entry === undefined) return [];
  const pick = (evs: readonly Evaluation[], label: string): Evaluation[] => evs.filter((ev) => ev.label === label);
  for (const h of entry.happened) {
    if (rule.kind === 'sequence' && line !== null && (h.kind === 'opened' || h.kind === 'took') && line.has(h.match)) return pick(h.evaluations, step);
    if (rule.kind === 'threshold' && (h.kind === 'window' || h.kind === 'window-decided')) {
      const where = pick(h.evaluations, 'where');
      if (where.length > 0) return where;
    }
    if (rule.kind === 'correlation' && h.kind === 'candidate') return pick(h.evaluations, step);
  }
  return [];
}

/**
 * Explains `alert` of `rules` by replaying `events` (in arrival order) up to its decision. With
 * the key's whole history the replay is exact; with only the alert's events, predicates that
 * read the context see it as it was built from those events alone, and the alert may not
 * come again (`reproduced: false`).
 */
export function explainAlert(rules: readonly AnyRule[], alert: Alert, events: Iterable<AnyEvent>, engine: Partial<Omit<EngineOptions, 'owns' | 'explain' | 'sweepIntervalMs'>> = {}): AlertExplanation {
  const rule = rules.find((r) => r.id === alert.ruleId);
  const base = {
    alertId: alert.id, ruleId: alert.ruleId, ruleVersion: alert.ruleVersion, key: alert.key, context: alert.context,
    decision: alert.ruleKind === 'threshold' ? { aggregates: { ...alert.aggregates }, checks: [] } : null,
  };
  const unchecked = alert.matched.map((s) => ({ step: s.step, events: s.events.map((m) => ({ id: m.event.id, kind: m.event.kind, ts: m.event.ts, checks: [] })) }));
  if (rule === undefined || rule.version !== alert.ruleVersion) {
    const note = rule === undefined ? `rule ${alert.ruleId} is not loaded` : `the loaded rule is version ${rule.version}, the alert was raised by version ${alert.ruleVersion}`;
    return { ...base, reproduced: false, note, steps: unchecked, timeline: [] };
  }
  const x = explain(rules, events, { ruleId: rule.id, key: alert.key, engine, to: alert.detectedAtEventTime + 1 });
  const at = x.timeline.find((e) => e.happened.some((h) => h.kind === 'alert' && h.id === alert.id));
  const raised = at?.happened.find((h): h is Happening & { kind: 'alert' } => h.kind === 'alert' && h.id === alert.id);
  if (at === undefined || raised === undefined) {
    return { ...base, reproduced: false, note: "replaying the events did not raise this alert again: the key's history before it is missing from the events replayed", steps: unchecked, timeline: [] };
  }
  const ids = new Set(alert.matched.flatMap((s) => s.events.map((m) => m.event.id)));
  const entryOf = new Map(x.timeline.filter((e) => e.kind === 'event' && e.event !== null && ids.has(e.event.id)).map((e) => [(e.event as AnyEvent).id, e]));
  const line = raised.match === null ? null : lineage(x.timeline, raised.match);
  const decided = at.happened.find((h) => h.kind === 'window-decided' && h.fired);
  return {
    ...base,
    reproduced: true,
    note: null,
    steps: alert.matched.map((s) => ({
      step: s.step,
      events: s.events.map((m) => ({ id: m.event.id, kind: m.event.kind, ts: m.event.ts, checks: checksOf(rule, entryOf.get(m.event.id), s.step, line) })),
    })),
    decision: decided?.kind === 'window-decided' ? { aggregates: decided.window.aggregates, checks: decided.evaluations.filter((ev) => ev.label === 'when') } : null,
    timeline: x.timeline.filter((e) => e === at || (e.event !== null && ids.has(e.event.id))),
  };
}
