// Scores alerts against a fixture's labels (planted scenarios and near misses).
// An alert detects a positive scenario when it has the scenario's rule and key and shares
// at least one matched event with it. Alerts that detect nothing are false positives; those
// that touch a near miss are counted apart, since near misses exist to prove silence.
import type { Alert } from '../core/alert.ts';

export interface LabelScenario {
  readonly id: string;
  readonly rule: string;
  readonly kind: 'positive' | 'near-miss';
  readonly key: string;
  readonly eventIds: readonly string[];
}

export interface Labels {
  readonly scenarios: readonly LabelScenario[];
}

export interface RuleScore {
  readonly positives: number;
  readonly detected: number;
  readonly missed: readonly string[];
  readonly alerts: number;
  readonly truePositiveAlerts: number;
  readonly falsePositiveAlerts: number;
  readonly nearMissAlerts: readonly string[];
  readonly precision: number;
  readonly recall: number;
}

type AlertLike = Pick<Alert, 'ruleId' | 'key' | 'matched'>;

export function score(alerts: readonly AlertLike[], labels: Labels, ruleIds: readonly string[]): Record<string, RuleScore> {
  const out: Record<string, RuleScore> = {};
  for (const rule of ruleIds) {
    const scenarios = labels.scenarios.filter((s) => s.rule === rule);
    const positives = scenarios.filter((s) => s.kind === 'positive');
    const nearMisses = scenarios.filter((s) => s.kind === 'near-miss');
    const mine = alerts.filter((a) => a.ruleId === rule);
    const ids = (a: AlertLike): Set<string> => new Set(a.matched.flatMap((m) => m.events.map((x) => x.event.id)));
    const touches = (a: AlertLike, s: LabelScenario): boolean => {
      if (a.key !== s.key) return false;
      const set = ids(a);
      return s.eventIds.some((id) => set.has(id));
    };
    const detected = positives.filter((s) => mine.some((a) => touches(a, s)));
    const tp = mine.filter((a) => positives.some((s) => touches(a, s))).length;
    const nearMissAlerts = nearMisses.filter((s) => mine.some((a) => touches(a, s))).map((s) => s.id);
    out[rule] = {
      positives: positives.length,
      detected: detected.length,
      missed: positives.filter((s) => !detected.includes(s)).map((s) => s.id),
      alerts: mine.length,
      truePositiveAlerts: tp,
      falsePositiveAlerts: mine.length - tp,
      nearMissAlerts,
      precision: mine.length === 0 ? 1 : tp / mine.length,
      recall: positives.length === 0 ? 1 : detected.length / positives.length,
    };
  }
  return out;
}
