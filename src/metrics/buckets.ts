// Cumulative histogram buckets for Prometheus (`_bucket`, `_count`, `_sum`): one fixed set of
// upper bounds in seconds, 1 µs to 60 s in 1-2.5-5 steps, shared by every latency family so
// panels and heatmaps line up. Observing is a short scan and two additions: cheap enough for the
// sampled evaluations and every alert. Prometheus histograms are cumulative since start; the
// windowed percentiles of the API come from the HDR histograms (windowed-histogram.ts).

export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005,
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

export class BucketCounts {
  /** Observations at or below each bound (not cumulative; the last slot is above every bound). */
  readonly counts: Float64Array = new Float64Array(LATENCY_BUCKETS_SECONDS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    const bounds = LATENCY_BUCKETS_SECONDS;
    while (i < bounds.length && seconds > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += seconds;
    this.count++;
  }

  /** Counts per bucket as Prometheus writes them: cumulative, ending with +Inf. */
  cumulative(): number[] {
    let n = 0;
    return [...this.counts].map((c) => (n += c));
  }
}

/** Per-bucket counts added since `before` (for heatmaps over time). */
export function bucketDelta(now: BucketCounts, before: Float64Array | undefined): number[] {
  return [...now.counts].map((c, i) => c - (before?.[i] ?? 0));
}
