// Latency histograms (HDR, microseconds) and their summary, plus GC pause accounting.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { newHistogram, summarize } from '../../src/metrics/latency.ts';
import type { LatencySummary } from '../../src/metrics/latency.ts';
import { PerformanceObserver } from 'node:perf_hooks';

export type Percentiles = LatencySummary;

/** The API's histogram shape (µs), so bench and service figures compare. */
export const histogram = newHistogram;
export const percentiles = summarize;

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
