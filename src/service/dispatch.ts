// Dispatch: what is pending goes to the shards as one round (workers/rounds.ts), one dispatch
// at a time, in order. At most maxInFlight rounds are outstanding: a dispatch that finds them
// all out pauses the consumer (backpressure) until its round is submitted. While a commit
// draws a checkpoint cut (the hold), new dispatches wait before joining the chain, never
// inside it: the cut falls after everything read before it and before anything read after.
import type { Rounds, StreamValues } from '../workers/rounds.ts';
import type { ArrivalLog } from './arrivals.ts';
import type { Counters } from './counters.ts';
import type { Stream, StreamTable } from './stream-table.ts';

/** What each round carries to its commit: the stream positions after it. */
export interface RoundTag {
  readonly positions: readonly (readonly [stream: number, next: number])[];
}

/** One stream's part of a round, with the arrays the arrival log keeps. */
export interface RoundPart extends StreamValues {
  readonly offsets: Float64Array;
  readonly timestamps: Float64Array;
}

export interface Round {
  readonly parts: RoundPart[];
  readonly tag: RoundTag;
  readonly values: number;
}

const EMPTY = new Uint8Array(0);

/** Takes every stream's pending records as one round; their streams' `dispatched` moves past them. */
export function takeRound(streams: readonly Stream[]): Round {
  const parts: RoundPart[] = [];
  const positions: (readonly [number, number])[] = [];
  let count = 0;
  for (const s of streams) {
    const msgs = s.pending;
    const n = msgs.length;
    if (n === 0) continue;
    s.pending = [];
    const offsets = new Float64Array(n);
    const timestamps = new Float64Array(n);
    const values = new Array<Uint8Array>(n);
    const keys = new Array<Uint8Array | null>(n);
    for (let i = 0; i < n; i++) {
      const m = msgs[i] as (typeof msgs)[number];
      offsets[i] = m.offset;
      timestamps[i] = m.timestamp;
      values[i] = m.value ?? EMPTY;
      keys[i] = m.key;
    }
    s.dispatched = (offsets[n - 1] as number) + 1;
    positions.push([s.index, s.dispatched]);
    parts.push({ stream: s.index, values, offsets, keys, timestamps });
    count += n;
  }
  return { parts, tag: { positions }, values: count };
}

/** Every allowed round is out: the next submit waits, and the consumer pauses meanwhile. */
export const backpressured = (inFlight: number, maxInFlight: number): boolean => inFlight >= maxInFlight;

export type DispatchRounds = Pick<Rounds<RoundTag>, 'submit' | 'inFlight'>;

export interface DispatchDeps {
  readonly rounds: DispatchRounds;
  readonly table: StreamTable;
  readonly maxInFlight: number;
  readonly counters: Counters;
  readonly arrivals: ArrivalLog;
  /** False once the run is retired: a dispatch still queued then does nothing. */
  readonly live: () => boolean;
  readonly failed: (err: unknown) => void;
  /** Runs `f` soon, after the current work (default setImmediate). */
  readonly defer?: (f: () => void) => void;
  /** Arrival clock of the records, for alert latency (default performance.now). */
  readonly clock?: () => number;
}

export class Dispatcher {
  private readonly d: DispatchDeps;
  private readonly defer: (f: () => void) => void;
  private readonly clock: () => number;
  private chain: Promise<void> = Promise.resolve();
  private hold: Promise<void> | undefined;
  private scheduled = false;

  constructor(d: DispatchDeps) {
    this.d = d;
    this.defer = d.defer ?? ((f) => setImmediate(f));
    this.clock = d.clock ?? (() => performance.now());
  }

  /** A dispatch soon (once per turn, however many batches came in). */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => {
      this.scheduled = false;
      void this.dispatch();
    });
  }

  /** Sends what is pending as one round; `control`: a round even with nothing pending (watermark, flush, toggles). */
  dispatch(control = false): Promise<void> {
    const hold = this.hold;
    if (hold !== undefined) return hold.then(() => this.dispatch(control));
    return this.enqueue(control);
  }

  /**
   * Dispatches what is pending and draws a cut after it (`cut`), holding new dispatches until
   * the cut is drawn: the shards' snapshot tasks queue right behind that round.
   */
  async cutAfterPending<C>(cut: () => Promise<C>): Promise<C> {
    let release!: () => void;
    this.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await this.enqueue(false);
      return await cut();
    } finally {
      this.hold = undefined;
      release();
    }
  }

  private enqueue(control: boolean): Promise<void> {
    const run = async (): Promise<void> => {
      const d = this.d;
      if (!d.live()) return;
      const round = takeRound(d.table.streams);
      if (round.parts.length === 0 && !control) return;
      const at = this.clock();
      for (const p of round.parts) d.arrivals.add(p.stream, at, p.offsets, p.timestamps);
      d.counters.rounds++;
      d.counters.roundValues += round.values;
      const full = backpressured(d.rounds.inFlight, d.maxInFlight);
      if (full) {
        d.counters.backpressurePauses++;
        d.table.pauseAll('backpressure');
      }
      try {
        await d.rounds.submit(round.parts, round.tag);
      } catch (err) {
        d.failed(err);
      } finally {
        if (full) d.table.resumeAll('backpressure');
      }
    };
    this.chain = this.chain.then(run, run);
    return this.chain;
  }
}
