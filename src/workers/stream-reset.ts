// An operator's watermark reset as the round driver applies it (rounds.ts): queued like a
// rule toggle, sent with the next round to every shard (protocol.ts StreamReset), and applied
// to the driver's clock at that round's boundary, once every earlier round is delivered
// (a reset round runs alone), so every shard and both clocks change at the same point:
//
//   stream s:  max event time := min(max event time, to + outOfOrderness)   (wm(s) <= to), active
//   W:         min(W, to)
//
// The caller learns the stream's time just before and just after, as the driver saw it.
import type { StreamWatermarks } from '../core/watermarks.ts';
import type { StreamReset } from './protocol.ts';

/** A stream's time and the global watermark, as the driver's clock has them. */
export interface StreamTime {
  /** Largest event time seen on the stream (-Infinity: none yet). */
  readonly maxTs: number;
  /** The stream's watermark: maxTs - outOfOrderness. */
  readonly watermark: number;
  readonly active: boolean;
  /** The watermark every shard is at (the minimum over active streams, monotone between resets). */
  readonly global: number;
}

export interface ResetOutcome {
  readonly before: StreamTime;
  readonly after: StreamTime;
}

/** A reset asked for and not yet applied: settled at its round's boundary, failed if the driver fails first. */
export interface PendingReset {
  readonly stream: number;
  /** The stream's new watermark. */
  readonly to: number;
  readonly settle: (o: ResetOutcome) => void;
  readonly fail: (err: unknown) => void;
}

export function streamTime(clock: StreamWatermarks, stream: number, global: number): StreamTime {
  return { maxTs: clock.maxTsOf(stream), watermark: clock.watermarkOf(stream), active: clock.isActive(stream), global };
}

/** What the shards are told: the same change, as max event time and watermark. */
export const resetTask = (clock: StreamWatermarks, r: Pick<PendingReset, 'stream' | 'to'>): StreamReset => ({ stream: r.stream, maxTs: r.to + clock.outOfOrdernessMs, watermark: r.to });

/** Applies a reset to the driver's clock; returns the global watermark after it and what changed. */
export function applyReset(clock: StreamWatermarks, r: Pick<PendingReset, 'stream' | 'to'>, global: number): { global: number; outcome: ResetOutcome } {
  const before = streamTime(clock, r.stream, global);
  clock.reset(r.stream, r.to + clock.outOfOrdernessMs);
  const after = Math.min(global, r.to);
  return { global: after, outcome: { before, after: streamTime(clock, r.stream, after) } };
}
