// Idle input. A stream (a partition) is idle when it was quiet for idleTimeoutMs while the
// consumer kept fetching, holds nothing pending, is not paused, and the broker confirms it is
// read to its end (high watermark). One record short counts only if it stays one short for a
// whole idle period: that record is then a transaction marker, which the consumer never
// delivers. An idle stream stops holding event time back; when every stream is idle, what
// waits for later events is released (a flush, as at the end of a replay). A stream with a
// backlog is never idle, however slow the pipeline, nor is one an operator's watermark reset
// holds until its next record (Stream.held). Both depend on the wall clock, so each
// change forces a checkpoint: a recovery never replays across one.
import type { Rounds } from '../workers/rounds.ts';
import type { Stream } from './stream-table.ts';

/** Since when a stream has been one record short of its end, and at which next offset. */
export interface OneShort {
  readonly since: number;
  readonly next: number;
}

export function readToEnd(next: number, oneShort: OneShort | undefined, highWatermark: number, now: number, idleForMs: number): { readonly end: boolean; readonly oneShort: OneShort | undefined } {
  const behind = highWatermark - next;
  if (behind <= 0) return { end: true, oneShort };
  if (behind > 1) return { end: false, oneShort };
  if (oneShort === undefined || oneShort.next !== next) return { end: false, oneShort: { since: now, next } };
  return { end: now - oneShort.since >= idleForMs, oneShort };
}

/** What idleness looks at of a stream. */
export interface IdleView {
  readonly index: number;
  readonly active: boolean;
  readonly pending: number;
  readonly paused: boolean;
  readonly lastData: number;
  readonly next: number;
  /** Held at a watermark reset until its next record: never quiet. */
  readonly held?: boolean;
}

export interface IdleClock {
  readonly now: number;
  readonly idleTimeoutMs: number;
  /** Largest event time seen on any stream, and the largest flushed to so far. */
  readonly maxTs: number;
  readonly flushedTo: number;
}

/** The consumer fetched recently enough for silence to mean something. */
export const fetching = (now: number, lastFetch: number, idleTimeoutMs: number): boolean => now - lastFetch <= Math.max(2000, idleTimeoutMs / 2);

/**
 * Before asking the broker: the streams quiet long enough to be idle, and whether to ask at all
 * (some stream is quiet, or every stream is and events wait for a flush).
 */
export function idleProbe(streams: readonly IdleView[], c: IdleClock): { readonly poll: boolean; readonly quiet: number[] } {
  const quiet = streams.filter((s) => s.active && s.held !== true && s.pending === 0 && !s.paused && c.now - s.lastData >= c.idleTimeoutMs).map((s) => s.index);
  const allQuiet = streams.length > 0 && streams.every((s) => !s.active || quiet.includes(s.index));
  return { poll: quiet.length > 0 || (allQuiet && c.maxTs > c.flushedTo), quiet };
}

export interface IdleVerdict {
  /** Streams that stop holding time back. */
  readonly inactive: number[];
  /** One-short marks after the poll, per quiet stream. */
  readonly oneShort: ReadonlyMap<number, OneShort | undefined>;
  /** Every stream is idle: release everything up to the largest event time. */
  readonly flush: boolean;
}

/**
 * With the broker's answer (high watermarks by stream). `streams` are read after the answer
 * came; `c.now` is when the probe started: a stream with data since then is not idle.
 */
export function idleVerdict(streams: readonly IdleView[], quiet: readonly number[], hws: ReadonlyMap<number, number>, oneShort: ReadonlyMap<number, OneShort>, c: IdleClock): IdleVerdict {
  const inactive: number[] = [];
  const marks = new Map<number, OneShort | undefined>();
  for (const i of quiet) {
    const s = streams[i];
    const hw = hws.get(i);
    if (s === undefined || hw === undefined || s.lastData > c.now || s.held === true) continue;
    const r = readToEnd(s.next, oneShort.get(i), hw, c.now, c.idleTimeoutMs);
    marks.set(i, r.oneShort);
    if (r.end) inactive.push(i);
  }
  const flush = streams.every((s) => s.held !== true && (!s.active || inactive.includes(s.index))) && c.maxTs > c.flushedTo;
  return { inactive, oneShort: marks, flush };
}

export type IdleRounds = Pick<Rounds, 'clock' | 'requestFlush' | 'requestAdvance'>;

export interface IdleDeps {
  readonly streams: readonly Stream[];
  readonly rounds: IdleRounds;
  readonly idleTimeoutMs: number;
  /** The broker's high watermarks of the streams' partitions, by stream index. */
  readonly highWatermarks: () => Promise<ReadonlyMap<number, number>>;
  /** Something went idle (or everything: `flushedTo` is then the event time flushed to). */
  readonly changed: (flushedTo: number | undefined) => void;
  readonly pollFailed: (err: unknown) => void;
}

/** The idle watch of one run: asks the broker at most once at a time. */
export class IdleWatch {
  private readonly d: IdleDeps;
  private polling = false;
  private flushedTo: number;
  private readonly oneShort = new Map<number, OneShort>();

  /** `flushedTo`: the restored watermark (nothing before it waits for a flush). */
  constructor(d: IdleDeps, flushedTo: number) {
    this.d = d;
    this.flushedTo = flushedTo;
  }

  /** One check at `now`; `stillLive` says, once the broker answered, whether to apply it. */
  async check(now: number, lastFetch: number, stillLive: () => boolean): Promise<void> {
    const d = this.d;
    if (this.polling || !fetching(now, lastFetch, d.idleTimeoutMs)) return;
    const clock = (): IdleClock => ({ now, idleTimeoutMs: d.idleTimeoutMs, maxTs: d.rounds.clock.maxTsOverall(), flushedTo: this.flushedTo });
    const probe = idleProbe(this.views(), clock());
    if (!probe.poll) return;
    this.polling = true;
    try {
      const hws = await d.highWatermarks();
      if (!stillLive()) return;
      const v = idleVerdict(this.views(), probe.quiet, hws, this.oneShort, clock());
      for (const [i, m] of v.oneShort) {
        if (m === undefined) this.oneShort.delete(i);
        else this.oneShort.set(i, m);
      }
      for (const i of v.inactive) d.rounds.clock.setActive(i, false);
      if (v.flush) {
        d.rounds.requestFlush();
        this.flushedTo = d.rounds.clock.maxTsOverall();
      }
      if (v.inactive.length > 0 || v.flush) {
        d.rounds.requestAdvance();
        d.changed(v.flush ? this.flushedTo : undefined);
      }
    } catch (err) {
      d.pollFailed(err);
    } finally {
      this.polling = false;
    }
  }

  /** An operator lowered the watermark to `watermark`: what lies after it may be flushed again. */
  rewound(watermark: number): void {
    if (watermark < this.flushedTo) this.flushedTo = watermark;
  }

  private views(): IdleView[] {
    const clock = this.d.rounds.clock;
    return this.d.streams.map((s) => ({ index: s.index, active: clock.isActive(s.index), pending: s.pending.length, paused: s.pausedFor.size > 0, lastData: s.lastData, next: s.next, held: s.held }));
  }
}

/** How often the idle watch looks: a few times per idle period, between 50 ms and 1 s. */
export const idleCheckEveryMs = (idleTimeoutMs: number): number => Math.max(50, Math.min(1000, Math.floor(idleTimeoutMs / 4)));
