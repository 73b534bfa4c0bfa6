// Backtest: a rule set replayed over an event file, scored per rule against the file's labels,
// and diffed against a second rule set replayed over the same events. Two alerts are "the same"
// when they have the same rule id, key and matched events by step: the version is left out, so
// a candidate that only bumped its version diffs as unchanged, not as all-new alerts.
import type { Alert, AnyRule, EngineOptions } from '../core/index.ts';
import { readEvents } from '../io/read-events.ts';
import { replay } from '../replay/replay.ts';
import { score } from '../replay/score.ts';
import type { Labels } from '../replay/score.ts';

export interface RuleResult {
  readonly rule: string;
  readonly alerts: number;
  /** Whose labelled scenarios scored the rule: its own id, or the bundled rule its library
   *  factory builds (`structuring({ id: 'structuring-eu' })` is scored as `structuring`); null: none. */
  readonly labelledAs: string | null;
  readonly positives: number;
  readonly detected: number;
  /** True-positive alerts / alerts; null without alerts or labels. */
  readonly precision: number | null;
  /** Detected / planted; null without labelled positives. */
  readonly recall: number | null;
  readonly nearMissesFired: number;
}

export interface RuleDiff {
  readonly rule: string;
  /** Alerts of the rule in each set (null: the set has no rule with this id). */
  readonly here: number | null;
  readonly there: number | null;
  /** Ids of alerts (of this set, of the other) with no counterpart in the other set. */
  readonly onlyHere: readonly string[];
  readonly onlyThere: readonly string[];
}

export interface BacktestResult {
  readonly events: string;
  readonly labels: string | null;
  readonly rules: readonly RuleResult[];
  readonly against?: readonly RuleDiff[];
}

/** Every alert the rules raise over the file, in emission order. */
export async function alertsOver(events: string, rules: readonly AnyRule[], engine: Partial<EngineOptions>): Promise<Alert[]> {
  const alerts: Alert[] = [];
  await replay(readEvents(events), { rules, engine, onAlert: (a) => alerts.push(a) });
  return alerts;
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The rule id whose labels score `rule`, or null when the labels have none for it. */
export function labelledAs(rule: AnyRule, labels: Labels | undefined): string | null {
  if (labels === undefined) return null;
  const has = (id: string): boolean => labels.scenarios.some((s) => s.rule === id);
  if (has(rule.id)) return rule.id;
  const family = rule.origin === undefined ? undefined : kebab(rule.origin.factory);
  return family !== undefined && has(family) ? family : null;
}

/** One rule's figures from its alerts (which must all be of that rule). */
export function ruleResult(rule: AnyRule, alerts: readonly Alert[], labels: Labels | undefined): RuleResult {
  const as = labelledAs(rule, labels);
  const none = { rule: rule.id, alerts: alerts.length, labelledAs: null, positives: 0, detected: 0, precision: null, recall: null, nearMissesFired: 0 };
  if (as === null || labels === undefined) return none;
  const s = score(alerts.map((a) => ({ ...a, ruleId: as })), labels, [as])[as];
  if (s === undefined) return none;
  return {
    rule: rule.id, alerts: alerts.length, labelledAs: as, positives: s.positives, detected: s.detected,
    precision: alerts.length === 0 ? null : s.precision, recall: s.positives === 0 ? null : s.recall, nearMissesFired: s.nearMissAlerts.length,
  };
}

const signature = (a: Alert): string =>
  [a.ruleId, a.key, ...a.matched.map((m) => `${m.step}=${m.events.map((e) => e.event.id).join(',')}`)].join('\u0000');

/** Per rule id of either set (this set's order, then the other's new ids): what only one raised. */
export function diffAlerts(here: readonly AnyRule[], hereAlerts: readonly Alert[], there: readonly AnyRule[], thereAlerts: readonly Alert[]): RuleDiff[] {
  const ids = [...new Set([...here.map((r) => r.id), ...there.map((r) => r.id)])];
  const hereIds = new Set(here.map((r) => r.id));
  const thereIds = new Set(there.map((r) => r.id));
  const hereSigs = new Set(hereAlerts.map(signature));
  const thereSigs = new Set(thereAlerts.map(signature));
  return ids.map((rule) => {
    const mine = hereAlerts.filter((a) => a.ruleId === rule);
    const theirs = thereAlerts.filter((a) => a.ruleId === rule);
    return {
      rule,
      here: hereIds.has(rule) ? mine.length : null,
      there: thereIds.has(rule) ? theirs.length : null,
      onlyHere: mine.filter((a) => !thereSigs.has(signature(a))).map((a) => a.id),
      onlyThere: theirs.filter((a) => !hereSigs.has(signature(a))).map((a) => a.id),
    };
  });
}

export interface BacktestInput {
  readonly events: string;
  readonly rules: readonly AnyRule[];
  readonly against?: readonly AnyRule[];
  readonly labels?: { readonly file: string; readonly labels: Labels };
  readonly engine: Partial<EngineOptions>;
}

export async function backtest(input: BacktestInput): Promise<BacktestResult> {
  const alerts = await alertsOver(input.events, input.rules, input.engine);
  const labels = input.labels?.labels;
  const rules = input.rules.map((r) => ruleResult(r, alerts.filter((a) => a.ruleId === r.id), labels));
  if (input.against === undefined) return { events: input.events, labels: input.labels?.file ?? null, rules };
  const other = await alertsOver(input.events, input.against, input.engine);
  return { events: input.events, labels: input.labels?.file ?? null, rules, against: diffAlerts(input.rules, alerts, input.against, other) };
}
