// Engine health over time, for the console's charts without a Prometheus: every `intervalMs`
// (5 s) one sample of the runner's signals (events, lag, watermark and its delay behind the
// wall clock, buffered events, keys, backpressure, commits) and of the latency buckets added
// since the previous sample (end to end, and per rule evaluation: the heatmaps' columns). A ring
// keeps the last `size` samples (30 min). Time is injected; sample() is public for tests.
import { LATENCY_BUCKETS_SECONDS, bucketDelta } from './buckets.ts';
import type { LatencyRecorder } from './latency.ts';

/** What the runner reports (the shape of src/http/metrics.ts Signals that this reads). */
export interface Signals {
  readonly counters: { readonly events?: number; readonly backpressurePauses?: number; readonly commits?: number };
  readonly gauges: { readonly watermark?: number; readonly consumerLag?: number; readonly buffered?: number; readonly keys?: number };
}

export interface HealthSample {
  readonly at: number;
  readonly events: number | null;
  readonly alertsStored: number;
  readonly consumerLag: number | null;
  readonly watermark: number | null;
  /** Wall clock minus the watermark, ms (null before the first event). */
  readonly watermarkDelayMs: number | null;
  readonly buffered: number | null;
  readonly keys: number | null;
  readonly backpressurePauses: number | null;
  readonly commits: number | null;
  /** Latency observations per bucket since the previous sample (bounds: HealthHistoryView.bucketsSeconds, then +Inf). */
  readonly endToEnd: readonly number[];
  readonly evaluation: Readonly<Record<string, readonly number[]>>;
}

export interface HealthHistoryView {
  readonly intervalMs: number;
  readonly bucketsSeconds: readonly number[];
  readonly samples: readonly HealthSample[];
}

export class HealthHistory {
  readonly intervalMs: number;
  private readonly size: number;
  private readonly samples: HealthSample[] = [];
  private readonly last = new Map<string, Float64Array>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly signals: () => Signals;
  private readonly alertsStored: () => number;
  private readonly latency: LatencyRecorder | undefined;
  private readonly now: () => number;

  constructor(signals: () => Signals, alertsStored: () => number, latency: LatencyRecorder | undefined, o: { readonly intervalMs?: number; readonly size?: number; readonly now?: () => number } = {}) {
    this.signals = signals;
    this.alertsStored = alertsStored;
    this.latency = latency;
    this.intervalMs = o.intervalMs ?? 5000;
    this.size = o.size ?? 360;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.timer ??= setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  sample(at: number = this.now()): HealthSample {
    const s = this.signals();
    const wm = s.gauges.watermark;
    const delta = (id: string, b: Parameters<typeof bucketDelta>[0]): number[] => {
      const d = bucketDelta(b, this.last.get(id));
      this.last.set(id, Float64Array.from(b.counts));
      return d;
    };
    const l = this.latency;
    const sample: HealthSample = {
      at, events: s.counters.events ?? null, alertsStored: this.alertsStored(), consumerLag: s.gauges.consumerLag ?? null,
      watermark: wm !== undefined && wm > 0 ? wm : null, watermarkDelayMs: wm !== undefined && wm > 0 ? at - wm : null,
      buffered: s.gauges.buffered ?? null, keys: s.gauges.keys ?? null, backpressurePauses: s.counters.backpressurePauses ?? null, commits: s.counters.commits ?? null,
      endToEnd: l === undefined ? [] : delta('e2e', l.endToEnd.buckets),
      evaluation: l === undefined ? {} : Object.fromEntries([...l.evaluations].map(([rule, series]) => [rule, delta(`eval:${rule}`, series.buckets)])),
    };
    this.samples.push(sample);
    if (this.samples.length > this.size) this.samples.shift();
    return sample;
  }

  view(): HealthHistoryView {
    return { intervalMs: this.intervalMs, bucketsSeconds: LATENCY_BUCKETS_SECONDS, samples: this.samples };
  }
}
