// The time of the rounds: per-stream max event times and activity, as the home shards report
// them, and the watermark each round sends.
//
//   after ingest r:  each stream read is active; its max event time only grows
//   W_r = max(W_r-1, min over active streams of (max ts - outOfOrderness))
//   flush:           flushTo = largest event time seen, W_r = max(W_r, flushTo)
//
// With several shards the driver (rounds.ts) keeps this clock and computes W_r. With one
// shard the shard computes W_r itself, in the same task as the round (shard-handler.ts), on a
// copy started from the same checkpoint; the only other writer of the driver's clock is its
// user marking streams idle (setActive), so the driver journals activity changes and the next
// round replays them on the copy (takeActivity). Both clocks then see the same changes in the
// same round order and send the same watermarks. A shard's copy never reads its journal (it
// holds at most one entry per stream).
import { StreamWatermarks } from '../core/watermarks.ts';
import type { IngestResult, InitTask } from './protocol.ts';

export class RoundClock extends StreamWatermarks {
  /** Activity changes since the last takeActivity(), the last one per stream. */
  private readonly changes = new Map<number, boolean>();

  /** The clock at `init`'s streams (their max event times and activity at the checkpoint). */
  constructor(init: Pick<InitTask, 'engine' | 'streams'>) {
    super(init.engine.outOfOrdernessMs ?? 0, init.engine.allowedLatenessMs ?? 0);
    init.streams.forEach((s, i) => this.setStream(i, s.maxTs, s.active));
    this.changes.clear();
  }

  override setActive(stream: number, active: boolean): void {
    super.setActive(stream, active);
    if (stream < this.streams) this.changes.set(stream, active);
  }

  override setStream(stream: number, maxTs: number, active: boolean): void {
    super.setStream(stream, maxTs, active);
    this.changes.set(stream, active);
  }

  /** [stream, active] changes since the last call, for a one-shard round to replay. */
  takeActivity(): [number, boolean][] {
    const out = [...this.changes];
    this.changes.clear();
    return out;
  }

  /** Applies a round's ingest report: every stream read is active, its max event time only grows. */
  observeIngest(maxTs: IngestResult['maxTs']): void {
    for (const [stream, ts] of maxTs) this.raise(stream, ts);
  }

  /** The watermark a round sends once its ingest is observed, after `previous`; and how far it flushes. */
  roundWatermark(previous: number, flush: boolean): { watermark: number; flushTo: number | null } {
    let watermark = previous;
    const w = this.watermark();
    if (w > watermark) watermark = w;
    const flushTo = flush ? this.maxTsOverall() : null;
    if (flushTo !== null && flushTo > watermark) watermark = flushTo;
    return { watermark, flushTo: flushTo === -Infinity ? null : flushTo };
  }
}
