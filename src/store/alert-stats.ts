// What the console's rule-health charts read from the store: alerts per rule per bucket of
// detection event time (the alert rate), and resolved alerts per rule by disposition, with the
// precision they give (true positives over true and false positives; benign, duplicate and
// inconclusive resolutions say nothing about precision and are left out of it).
import type { DatabaseSync } from 'node:sqlite';
import { DISPOSITIONS, whereOf } from './alert-query.ts';
import type { AlertFilter, Disposition } from './alert-query.ts';

export interface AlertRates {
  /** Start of the first bucket and each bucket's width, event-time ms; null when no alert matches. */
  readonly from: number | null;
  readonly bucketMs: number;
  readonly buckets: number;
  /** rule id → alerts in each bucket. */
  readonly rules: Readonly<Record<string, readonly number[]>>;
}

export interface RuleDispositions {
  readonly ruleId: string;
  readonly resolved: number;
  readonly counts: Readonly<Record<Disposition | 'none', number>>;
  /** true / (true + false positives); null before either was recorded. */
  readonly precision: number | null;
}

const and = (where: string, more: string): string => (where === '' ? `WHERE ${more}` : `WHERE ${where} AND ${more}`);

export function alertRates(db: DatabaseSync, filter: AlertFilter, buckets: number): AlertRates {
  const w = whereOf({ ...filter, time: 'event' });
  const range = db.prepare(`SELECT min(detected_ts) AS lo, max(detected_ts) AS hi FROM alerts ${w.sql === '' ? '' : `WHERE ${w.sql}`}`).get(...w.args) as { lo: number | null; hi: number | null };
  const from = filter.from ?? range.lo;
  const to = filter.to ?? range.hi;
  if (from === null || to === null || range.lo === null) return { from: null, bucketMs: 0, buckets, rules: {} };
  const bucketMs = Math.max(1, Math.ceil((to - from + 1) / buckets));
  const rows = db.prepare(`SELECT rule_id, CAST((detected_ts - ?) / ? AS INTEGER) AS b, count(*) AS n FROM alerts ${and(w.sql, 'detected_ts >= ?')} GROUP BY rule_id, b`)
    .all(BigInt(from), BigInt(bucketMs), ...w.args, from) as { rule_id: string; b: number; n: number }[];
  const rules: Record<string, number[]> = {};
  for (const r of rows) {
    const series = (rules[r.rule_id] ??= new Array<number>(buckets).fill(0));
    if (r.b < buckets) series[r.b] = Number(r.n);
  }
  return { from, bucketMs, buckets, rules };
}

export function dispositionCounts(db: DatabaseSync, filter: AlertFilter): RuleDispositions[] {
  const w = whereOf({ ...filter, status: 'resolved' });
  const rows = db.prepare(`SELECT rule_id, COALESCE(disposition, 'none') AS d, count(*) AS n FROM alerts WHERE ${w.sql} GROUP BY rule_id, d ORDER BY rule_id`)
    .all(...w.args) as { rule_id: string; d: Disposition | 'none'; n: number }[];
  const byRule = new Map<string, Record<Disposition | 'none', number>>();
  for (const r of rows) {
    const c = byRule.get(r.rule_id) ?? (Object.fromEntries([...DISPOSITIONS, 'none'].map((d) => [d, 0])) as Record<Disposition | 'none', number>);
    c[r.d] = Number(r.n);
    byRule.set(r.rule_id, c);
  }
  return [...byRule].map(([ruleId, counts]) => {
    const judged = counts['true-positive'] + counts['false-positive'];
    return { ruleId, resolved: Object.values(counts).reduce((a, b) => a + b, 0), counts, precision: judged === 0 ? null : counts['true-positive'] / judged };
  });
}
