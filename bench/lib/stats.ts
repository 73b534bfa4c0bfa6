// Latency histograms (HDR, microseconds) and their summary, plus GC pause accounting.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { PerformanceObserver } from 'node:perf_hooks';

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export function histogram(): Histogram {
  return hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/** Percentiles in microseconds. */
export function percentiles(h: Histogram): Percentiles {
  return {
    count: h.totalCount, p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99),
    p999: h.getValueAtPercentile(99.9), max: h.maxValue,
  };
}

export const encodeHistogram = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h);

/** Sums GC pauses while `fn` runs. */
export async function withGc<T>(fn: () => Promise<T>): Promise<{ result: T; gcMs: number; gcCount: number; maxGcMs: number }> {
  let gcMs = 0;
  let gcCount = 0;
  let maxGcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcCount++;
      maxGcMs = Math.max(maxGcMs, e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    const result = await fn();
    await new Promise((r) => setImmediate(r));
    return { result, gcMs: Math.round(gcMs), gcCount, maxGcMs: Math.round(maxGcMs * 10) / 10 };
  } finally {
    obs.disconnect();
  }
}
