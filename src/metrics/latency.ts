// Latency recorders (HDR histograms, microseconds): per rule (event pushed to the engine →
// alert emitted), end to end (event time → alert stored) and per batch. Recording is one
// array lookup and one histogram increment; recorders are created lazily per rule.
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** An HDR histogram in microseconds, 1 µs to 1 h, 3 significant digits. */
export const newHistogram = (): Histogram => hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });

export function summarize(h: Histogram): LatencySummary {
  return { count: h.totalCount, p50: h.getValueAtPercentile(50), p90: h.getValueAtPercentile(90), p99: h.getValueAtPercentile(99), p999: h.getValueAtPercentile(99.9), max: h.maxValue };
}

export class LatencyRecorder {
  private readonly rules = new Map<string, Histogram>();
  readonly endToEnd: Histogram = newHistogram();
  readonly batch: Histogram = newHistogram();

  /** Engine latency of one alert of `ruleId`, in microseconds. */
  recordRule(ruleId: string, micros: number): void {
    let h = this.rules.get(ruleId);
    if (h === undefined) {
      h = newHistogram();
      this.rules.set(ruleId, h);
    }
    h.recordValue(Math.max(1, Math.round(micros)));
  }

  recordEndToEnd(micros: number): void {
    this.endToEnd.recordValue(Math.max(1, Math.round(micros)));
  }

  recordBatch(micros: number): void {
    this.batch.recordValue(Math.max(1, Math.round(micros)));
  }

  rule(ruleId: string): LatencySummary | null {
    const h = this.rules.get(ruleId);
    return h === undefined ? null : summarize(h);
  }

  /** Percentiles and the full histograms (HDR compressed base64) for export. */
  snapshot(): { rules: Record<string, LatencySummary & { histogram: string }>; endToEnd: LatencySummary & { histogram: string }; batch: LatencySummary & { histogram: string } } {
    const full = (h: Histogram) => ({ ...summarize(h), histogram: hdr.encodeIntoCompressedBase64(h) });
    return { rules: Object.fromEntries([...this.rules].map(([id, h]) => [id, full(h)])), endToEnd: full(this.endToEnd), batch: full(this.batch) };
  }
}
