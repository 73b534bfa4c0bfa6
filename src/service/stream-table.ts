// The stream table of one run: per input partition, where reading, dispatching and committing
// stand, and why the consumer is paused. Positions are "next offset" positions:
//
//   committed <= committable <= dispatched <= next      (live; a recovery re-reads below committed)
//
// `pending` holds records read and not yet in a round. A partition is paused on the consumer
// exactly while it has a pause reason. A retired run's table is detached: it no longer
// reaches the consumer, so nothing a stale continuation does to it pauses or resumes anything.
import { tpKey } from '../kafka/admin.ts';
import type { InputMessage, InputSource, TopicPartition } from '../kafka/source.ts';

export type PauseReason = 'backpressure' | 'recovery' | 'stopping';

export interface Stream {
  readonly index: number;
  readonly tp: TopicPartition;
  readonly format: 'confluent' | 'avro';
  /** Next offset expected from the consumer; records below it are duplicates. */
  next: number;
  /** Offset after the last record sent to the shards. */
  dispatched: number;
  /** Offset committed with the group (null: never). */
  committed: number | null;
  /** Offset after the last record of the rounds taken for commit: what the next commit commits. */
  committable: number;
  /** Offset after the last record the broker has, from the last fetch or poll. */
  highWatermark: number;
  /** Wall ms of the last record (or of the run's start). */
  lastData: number;
  /**
   * An operator reset its watermark and it has read no record since: it holds event time at
   * the new watermark (never idle meanwhile), so the records about to be redriven into it are
   * on time whenever they come.
   */
  held: boolean;
  pending: InputMessage[];
  pausedFor: ReadonlySet<PauseReason>;
}

export type SourceControl = Pick<InputSource, 'pause' | 'resume' | 'seek'>;

/** A stream as a run starts it: everything before `start` is in the restored state. */
export function startStream(index: number, tp: TopicPartition, format: 'confluent' | 'avro', start: number, committed: number | null, highWatermark: number, now: number, held = false): Stream {
  return { index, tp, format, next: start, dispatched: start, committed, committable: start, highWatermark, lastData: now, held, pending: [], pausedFor: new Set() };
}

/** Pausing (`on`) or resuming for one reason: the reasons after, and what the consumer must be told. */
export function pauseStep(reasons: ReadonlySet<PauseReason>, why: PauseReason, on: boolean): { readonly reasons: ReadonlySet<PauseReason>; readonly tell: 'pause' | 'resume' | null } {
  if (on === reasons.has(why)) return { reasons, tell: null };
  const next = new Set(reasons);
  if (on) next.add(why);
  else next.delete(why);
  const tell = on ? (reasons.size === 0 ? 'pause' : null) : (next.size === 0 ? 'resume' : null);
  return { reasons: next, tell };
}

/** Records behind the partitions' ends, summed (from the last fetch of each). */
export function lagOf(streams: readonly Stream[]): number {
  let lag = 0;
  for (const s of streams) if (s.highWatermark > s.next && s.next >= 0) lag += s.highWatermark - s.next;
  return lag;
}

export function pendingOf(streams: readonly Stream[]): number {
  let n = 0;
  for (const s of streams) n += s.pending.length;
  return n;
}

export class StreamTable {
  readonly streams: readonly Stream[];
  private readonly byTp: ReadonlyMap<string, Stream>;
  private control: SourceControl | undefined;

  constructor(streams: readonly Stream[], control: SourceControl) {
    this.streams = streams;
    this.byTp = new Map(streams.map((s) => [tpKey(s.tp.topic, s.tp.partition), s]));
    this.control = control;
  }

  of(tp: TopicPartition): Stream | undefined {
    return this.byTp.get(tpKey(tp.topic, tp.partition));
  }

  lag(): number {
    return lagOf(this.streams);
  }

  pending(): number {
    return pendingOf(this.streams);
  }

  /**
   * Takes the consumer in hand: every partition resumed (a pause a previous run left behind
   * must not outlive it) and positioned at its stream's start.
   */
  open(): void {
    this.control?.resume(this.streams.map((s) => s.tp));
    for (const s of this.streams) this.control?.seek(s.tp, s.next);
  }

  pause(s: Stream, why: PauseReason): void {
    this.step(s, why, true);
  }

  resume(s: Stream, why: PauseReason): void {
    this.step(s, why, false);
  }

  pauseAll(why: PauseReason): void {
    for (const s of this.streams) this.step(s, why, true);
  }

  resumeAll(why: PauseReason): void {
    for (const s of this.streams) this.step(s, why, false);
  }

  /** The run is over: from now on the table does not reach the consumer. */
  detach(): void {
    this.control = undefined;
  }

  private step(s: Stream, why: PauseReason, on: boolean): void {
    const r = pauseStep(s.pausedFor, why, on);
    s.pausedFor = r.reasons;
    if (r.tell === 'pause') this.control?.pause([s.tp]);
    else if (r.tell === 'resume') this.control?.resume([s.tp]);
  }
}
