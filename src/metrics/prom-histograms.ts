// Prometheus text for histogram families kept as BucketCounts (buckets.ts): `_bucket` per
// upper bound (cumulative, ending with le="+Inf"), `_sum` and `_count`, with the registry's
// default labels (the instance) on every sample. prom-client's Histogram would update a label
// map on every observation; ours is an array increment, and the text is written at scrape time.
import { LATENCY_BUCKETS_SECONDS } from './buckets.ts';
import type { BucketCounts } from './buckets.ts';
import type { LatencyRecorder } from './latency.ts';

export interface HistogramFamily {
  readonly name: string;
  readonly help: string;
  readonly series: readonly { readonly labels: Readonly<Record<string, string>>; readonly buckets: BucketCounts }[];
}

const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labelText = (labels: Readonly<Record<string, string>>): string => Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(',');

export function histogramText(families: readonly HistogramFamily[], defaults: Readonly<Record<string, string>>): string {
  const out: string[] = [];
  for (const f of families) {
    out.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} histogram`);
    for (const s of f.series) {
      const base = labelText({ ...defaults, ...s.labels });
      const sep = base === '' ? '' : ',';
      const cumulative = s.buckets.cumulative();
      LATENCY_BUCKETS_SECONDS.forEach((le, i) => out.push(`${f.name}_bucket{${base}${sep}le="${le}"} ${cumulative[i]}`));
      out.push(`${f.name}_bucket{${base}${sep}le="+Inf"} ${s.buckets.count}`);
      out.push(`${f.name}_sum${base === '' ? '' : `{${base}}`} ${s.buckets.sum}`, `${f.name}_count${base === '' ? '' : `{${base}}`} ${s.buckets.count}`);
    }
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

/** The latency families of a recorder: per rule evaluation and alert latency, end to end, per batch. */
export function latencyFamilies(l: LatencyRecorder): HistogramFamily[] {
  const perRule = (m: LatencyRecorder['alerts']) => [...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([rule, s]) => ({ labels: { rule }, buckets: s.buckets }));
  return [
    { name: 'cepheus_rule_evaluation_seconds', help: 'Time one rule took to evaluate one event (one event in 16 is timed: multiply _count by 16, or read cepheus_rule_events_total)', series: perRule(l.evaluations) },
    { name: 'cepheus_alert_latency_seconds', help: "Per rule, from the alert's completing record entering the engine to the alert emitted", series: perRule(l.alerts) },
    { name: 'cepheus_end_to_end_latency_seconds', help: 'From the completing event (its Kafka timestamp, in the service) to the alert stored (demo) or committed (service)', series: [{ labels: {}, buckets: l.endToEnd.buckets }] },
    { name: 'cepheus_batch_seconds', help: 'Time to process one batch (demo: 256 events; service: one shard task)', series: [{ labels: {}, buckets: l.batch.buckets }] },
  ];
}
