// Watermarks per input stream (a Kafka partition, a file): the rule Flink uses.
//
//   stream s:  wm(s) = max event time seen on s - outOfOrderness
//   engine:    W     = min over active streams of wm(s)       (a slow stream holds time back)
//   late:      an event of s with ts < wm(s) - allowedLateness (decided by its own stream)
//
// Lateness depends only on the stream's own order, so it is the same however streams
// interleave. Any later on-time event of s has ts >= wm(s) >= W, so releasing events with
// ts < W releases a complete prefix: processing order is then the canonical (ts, rank) order
// whatever the interleaving. An idle stream can be set inactive so it does not stall W.
import { CepError } from './errors.ts';

export class StreamWatermarks {
  readonly outOfOrdernessMs: number;
  readonly allowedLatenessMs: number;
  private readonly maxTs: number[] = [];
  private readonly active: boolean[] = [];

  constructor(outOfOrdernessMs: number, allowedLatenessMs: number) {
    if (!(outOfOrdernessMs >= 0) || !(allowedLatenessMs >= 0)) throw new CepError('CEP_ERR_ENGINE_OPTIONS', 'outOfOrdernessMs and allowedLatenessMs must be >= 0');
    this.outOfOrdernessMs = outOfOrdernessMs;
    this.allowedLatenessMs = allowedLatenessMs;
  }

  /** Declares streams 0..n-1 (new ones start with no event seen, active). */
  ensure(n: number): void {
    while (this.maxTs.length < n) {
      this.maxTs.push(-Infinity);
      this.active.push(true);
    }
  }

  get streams(): number {
    return this.maxTs.length;
  }

  /** Records an event of `stream`; false when it is late (it then changes nothing). */
  observe(stream: number, ts: number): boolean {
    const max = this.maxTs[stream];
    if (max === undefined) throw new CepError('CEP_ERR_STREAM', `stream ${stream} not declared (ensure(${stream + 1}) first)`);
    if (ts < max - this.outOfOrdernessMs - this.allowedLatenessMs) return false;
    if (ts > max) this.maxTs[stream] = ts;
    this.active[stream] = true;
    return true;
  }

  /** wm(s): -Infinity before the stream's first event. */
  watermarkOf(stream: number): number {
    return (this.maxTs[stream] ?? -Infinity) - this.outOfOrdernessMs;
  }

  maxTsOf(stream: number): number {
    return this.maxTs[stream] ?? -Infinity;
  }

  /** Largest event time seen on any stream. */
  maxTsOverall(): number {
    let m = -Infinity;
    for (const t of this.maxTs) if (t > m) m = t;
    return m;
  }

  /** An inactive (idle) stream does not hold the watermark back until its next event. */
  setActive(stream: number, active: boolean): void {
    if (stream < this.active.length) this.active[stream] = active;
  }

  isActive(stream: number): boolean {
    return this.active[stream] === true;
  }

  /** W = min over active streams; +Infinity-free: with no active stream, the max of all. */
  watermark(): number {
    let w = Infinity;
    let any = false;
    for (let s = 0; s < this.maxTs.length; s++) {
      if (!this.active[s]) continue;
      any = true;
      const m = (this.maxTs[s] as number) - this.outOfOrdernessMs;
      if (m < w) w = m;
    }
    return any ? w : this.maxTsOverall() - this.outOfOrdernessMs;
  }

  /** Sets a stream's max event time and activity as they are (a checkpoint's, or an operator's reset). */
  setStream(stream: number, maxTs: number, active: boolean): void {
    this.ensure(stream + 1);
    this.maxTs[stream] = maxTs;
    this.active[stream] = active;
  }

  /**
   * An operator's watermark reset: the stream's max event time is lowered to `maxTs` (never
   * raised) and it is active, so it holds time back from there until its next events.
   */
  reset(stream: number, maxTs: number): void {
    this.ensure(stream + 1);
    if (maxTs < (this.maxTs[stream] as number)) this.maxTs[stream] = maxTs;
    this.active[stream] = true;
  }

  /** A stream reported events up to `maxTs`: it is active, and its max event time only grows. */
  raise(stream: number, maxTs: number): void {
    this.ensure(stream + 1);
    if (maxTs > (this.maxTs[stream] as number)) this.maxTs[stream] = maxTs;
    this.setActive(stream, true);
  }
}
