// When each recent record reached the service, and its Kafka timestamp, by stream and offset:
// what per-rule latency (record arrival → alert emitted) and end-to-end latency (record
// produced → alert committed) are measured from. A bounded ring of dispatched runs per
// stream; a record older than the ring is not measured (and counted as such).
interface Run {
  readonly at: number;
  readonly offsets: Float64Array;
  readonly timestamps: Float64Array;
}

export class ArrivalLog {
  private readonly runs: Run[][] = [];
  private readonly keep: number;

  constructor(keepPerStream = 256) {
    this.keep = keepPerStream;
  }

  /** A dispatched run of one stream: ascending offsets, their Kafka timestamps, arrival (performance ms). */
  add(stream: number, at: number, offsets: Float64Array, timestamps: Float64Array): void {
    if (offsets.length === 0) return;
    let r = this.runs[stream];
    if (r === undefined) {
      r = [];
      this.runs[stream] = r;
    }
    r.push({ at, offsets, timestamps });
    if (r.length > this.keep) r.shift();
  }

  /** Arrival time and Kafka timestamp of one record, if still in the ring. */
  find(stream: number, offset: number): { readonly at: number; readonly timestamp: number } | undefined {
    const r = this.runs[stream];
    if (r === undefined) return undefined;
    for (let i = r.length - 1; i >= 0; i--) {
      const run = r[i] as Run;
      const o = run.offsets;
      if (offset < (o[0] as number) || offset > (o[o.length - 1] as number)) continue;
      let lo = 0;
      let hi = o.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((o[mid] as number) < offset) lo = mid + 1;
        else hi = mid;
      }
      return o[lo] === offset ? { at: run.at, timestamp: run.timestamps[lo] as number } : undefined;
    }
    return undefined;
  }

  clear(): void {
    this.runs.length = 0;
  }
}
