// Latency, in microseconds as it is measured, kept two ways for each series:
// - a sliding-window HDR histogram (windowed-histogram.ts; 5 slices of 1 min by default) for
//   the API's percentiles, so they say how the engine does now, not since it started;
// - cumulative Prometheus buckets (buckets.ts) for /metrics, so histogram_quantile, heatmaps
//   and sums across instances work.
// Series: per rule, the evaluation of one event (sampled, see rule-timer.ts) and the alert
// latency (the completing record entering the engine → the alert emitted); end to end (event /
// record time → alert stored or committed); per batch. Recorders are created lazily per rule.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { BucketCounts } from './buckets.ts';
import { WindowedHistogram } from './windowed-histogram.ts';

export { newHistogram } from './windowed-histogram.ts';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}
export type LatencyExport = LatencySummary & { readonly histogram: string };

export function summarize(h: Histogram): LatencySummary {
  return { count: h.totalCount, p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue };
}

/** One latency series: its window for percentiles and its buckets for Prometheus. */
export class LatencySeries {
  readonly window: WindowedHistogram;
  readonly buckets = new BucketCounts();
  private readonly now: () => number;

  constructor(window: WindowOptions, now: () => number) {
    this.window = new WindowedHistogram(window.sliceMs, window.slices);
    this.now = now;
  }

  record(micros: number): void {
    this.window.record(micros, this.now());
    this.buckets.observe(micros / 1e6);
  }

  summary(): LatencySummary {
    return summarize(this.window.merged(this.now()));
  }

  export(): LatencyExport {
    const h = this.window.merged(this.now());
    return { ...summarize(h), histogram: hdr.encodeIntoCompressedBase64(h) };
  }
}

export interface WindowOptions {
  readonly sliceMs: number;
  readonly slices: number;
}
export const DEFAULT_WINDOW: WindowOptions = { sliceMs: 60_000, slices: 5 };

export class LatencyRecorder {
  readonly alerts = new Map<string, LatencySeries>();
  readonly evaluations = new Map<string, LatencySeries>();
  readonly endToEnd: LatencySeries;
  readonly batch: LatencySeries;
  private readonly windowOptions: WindowOptions;
  private readonly now: () => number;

  constructor(o: { readonly window?: WindowOptions; readonly now?: () => number } = {}) {
    this.windowOptions = o.window ?? DEFAULT_WINDOW;
    this.now = o.now ?? Date.now;
    this.endToEnd = new LatencySeries(this.windowOptions, this.now);
    this.batch = new LatencySeries(this.windowOptions, this.now);
  }

  get windowMs(): number {
    return this.windowOptions.sliceMs * this.windowOptions.slices;
  }

  /** Alert latency of one alert of `ruleId`: its completing record entering the engine → the alert emitted. */
  recordRule(ruleId: string, micros: number): void {
    this.series(this.alerts, ruleId).record(micros);
  }

  /** How long `ruleId` took to evaluate one event (a sampled event: see rule-timer.ts). */
  recordEvaluation(ruleId: string, micros: number): void {
    this.series(this.evaluations, ruleId).record(micros);
  }

  recordEndToEnd(micros: number): void {
    this.endToEnd.record(micros);
  }

  recordBatch(micros: number): void {
    this.batch.record(micros);
  }

  /** Windowed alert latency of a rule; null before its first alert. */
  rule(ruleId: string): LatencySummary | null {
    return this.alerts.get(ruleId)?.summary() ?? null;
  }

  /** Windowed evaluation time of a rule; null before its first sample. */
  evaluation(ruleId: string): LatencySummary | null {
    return this.evaluations.get(ruleId)?.summary() ?? null;
  }

  /** Percentiles over the window and the windowed HDR histograms (compressed base64) for export. */
  snapshot(): {
    windowMs: number; rules: Record<string, LatencyExport>; evaluation: Record<string, LatencyExport>; endToEnd: LatencyExport; batch: LatencyExport;
  } {
    const all = (m: Map<string, LatencySeries>) => Object.fromEntries([...m].map(([id, s]) => [id, s.export()]));
    return { windowMs: this.windowMs, rules: all(this.alerts), evaluation: all(this.evaluations), endToEnd: this.endToEnd.export(), batch: this.batch.export() };
  }

  private series(m: Map<string, LatencySeries>, ruleId: string): LatencySeries {
    let s = m.get(ruleId);
    if (s === undefined) {
      s = new LatencySeries(this.windowOptions, this.now);
      m.set(ruleId, s);
    }
    return s;
  }
}
