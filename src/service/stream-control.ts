// The service's answers to the stream routes (src/http/stream-control.ts): each partition's
// event time from the round driver's clock, and an operator's watermark reset.
//
// A reset is a control change like a rule toggle: applied at the next round boundary on every
// shard (workers/stream-reset.ts), then forced into a checkpoint at the next commit, so a
// recovery never re-reads across it. It needs the instance live: a recovering one re-reads
// input the previous run committed, whose outputs must come out as they did then. The reset
// partition is held (Stream.held): it is not idle until it reads a record again, so no idle
// flush moves the global watermark past `to` before the records redriven into it arrive.
import type { Logger } from 'pino';
import { CepError } from '../core/errors.ts';
import type { StreamControl, StreamTimes, StreamsView, WatermarkReset } from '../http/stream-control.ts';
import type { StreamTime } from '../workers/stream-reset.ts';
import type { Pipeline } from './pipeline.ts';
import type { Run } from './run.ts';

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);
const iso = (n: number): string => (Number.isFinite(n) ? new Date(n).toISOString() : 'none');

export const timesOf = (t: StreamTime): StreamTimes => ({ maxEventTime: finite(t.maxTs), watermark: finite(t.watermark), active: t.active, globalWatermark: finite(t.global) });

export function streamsOf(run: Run, outOfOrdernessMs: number): StreamsView {
  const clock = run.rounds.clock;
  return {
    watermark: finite(run.rounds.watermark), outOfOrdernessMs,
    streams: run.table.streams.map((s) => ({
      topic: s.tp.topic, partition: s.tp.partition, maxEventTime: finite(clock.maxTsOf(s.index)), watermark: finite(clock.watermarkOf(s.index)),
      active: clock.isActive(s.index), held: s.held, position: s.next, committed: s.committed,
    })),
  };
}

/** Why a reset to `to` lowers nothing (undefined: it lowers the partition's watermark or the global one). */
export function nothingToLower(to: number, partitionWatermark: number, global: number): string | undefined {
  if (to < partitionWatermark || to < global) return undefined;
  return `the partition's watermark (${iso(partitionWatermark)}) and the global one (${iso(global)}) are not after ${iso(to)}: nothing to lower. A reset only moves time back; events move it forward`;
}

export function serviceStreamControl(pipeline: Pick<Pipeline, 'heldRun' | 'mode'>, outOfOrdernessMs: number, log?: Logger): StreamControl {
  const held = (): Run => {
    const run = pipeline.heldRun();
    if (run === undefined) throw new CepError('CEP_ERR_STATE_UNAVAILABLE', `this instance holds no partitions (${pipeline.mode}); ask the instance that does`);
    return run;
  };
  return {
    streams: () => streamsOf(held(), outOfOrdernessMs),
    async resetWatermark(topic, partition, to): Promise<WatermarkReset> {
      const run = held();
      const s = run.table.of({ topic, partition });
      if (s === undefined) throw new CepError('CEP_ERR_API_STREAM_NOT_FOUND', `this instance reads no partition ${topic}/${partition}; GET /api/v1/streams lists those it reads`);
      if (pipeline.mode !== 'live') throw new CepError('CEP_ERR_STATE_UNAVAILABLE', `a watermark reset needs the instance live; it is ${pipeline.mode}: try again once /readyz says ready`);
      const why = nothingToLower(to, run.rounds.clock.watermarkOf(s.index), run.rounds.watermark);
      if (why !== undefined) throw new CepError('CEP_ERR_WATERMARK_RESET', why);
      s.held = true;
      const applied = run.rounds.resetStream(s.index, to);
      run.committer.requestCheckpoint();
      void run.dispatcher.dispatch(true);
      const o = await applied;
      run.idle.rewound(o.after.global);
      const r = { topic, partition, to, before: timesOf(o.before), after: timesOf(o.after) };
      log?.info({ ...r }, `watermark of ${topic}/${partition} reset to ${iso(o.after.watermark)} (was ${iso(o.before.watermark)}), global watermark ${iso(o.after.global)} (was ${iso(o.before.global)}): held until it reads a record; checkpointed at the next commit`);
      return r;
    },
  };
}
