// Time cannot be hijacked: an event dated far in the future (2099 from a broken producer) is
// quarantined before it can move any watermark, since one such event would make every later
// event of its stream late (and, after an idle flush, of every stream). Two rules, one per
// place the core runs, both decided from the input alone so a re-read decides the same:
//
//   service  reference = the record's Kafka timestamp (CreateTime from the producer, or
//            LogAppendTime from the broker): part of the log, so recovery re-reading the
//            records reaches the same decisions. Quarantined when
//              event time > record timestamp + maxFutureSkewMs.
//            A record without a timestamp (<= 0: none in Kafka's v2 format) is not judged.
//
//   file     no wall clock and no record time: the event's stream is the reference.
//            Quarantined when it is more than maxAheadMs ahead of
//              - the median of the next `window` events of the stream, and
//              - the largest event time accepted before it (unless it is the first).
//            Looking back alone would lock a stream out after a real gap (a weekend, a quiet
//            night): every event after the gap would be "ahead" and never accepted. The events
//            that follow tell a gap (they agree with the event) from a runaway one (they do
//            not). The median tolerates a few runaway events among the followers (up to
//            window / 2); a longer run that agrees with itself is taken as the stream's time.
//            The first event has nothing before it: the followers decide alone. The last has
//            no followers: it is accepted (nothing after it could be made late).

/** Service rule: is this event more than `maxFutureSkewMs` ahead of its record's Kafka timestamp? */
export function aheadOfRecord(eventTs: number, recordTs: number, maxFutureSkewMs: number): boolean {
  return recordTs > 0 && Number.isFinite(recordTs) && eventTs - recordTs > maxFutureSkewMs;
}

/** Followers looked at for each event of a file stream. */
export const AHEAD_WINDOW = 16;

/** A decision on one event of a file stream, in input order. */
export interface AheadDecision<T> {
  readonly item: T;
  readonly ts: number;
  readonly quarantined: boolean;
  /**
   * What it was compared with: the median of its followers and the largest time accepted
   * before it (null: none).
   */
  readonly followers: number | null;
  readonly before: number | null;
}

/** Lower median of a non-empty list (a copy is sorted). */
function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[(s.length - 1) >> 1] as number;
}

/**
 * The file rule over one stream: events go in with push(), decisions come out `window` events
 * later, in input order; end() decides the rest. Deterministic: a function of the stream.
 */
export class StreamAheadGuard<T> {
  readonly maxAheadMs: number;
  readonly window: number;
  private readonly pending: { ts: number; item: T }[] = [];
  private acceptedMax = -Infinity;

  constructor(maxAheadMs: number, window = AHEAD_WINDOW) {
    this.maxAheadMs = maxAheadMs;
    this.window = Math.max(1, window);
  }

  push(ts: number, item: T): AheadDecision<T>[] {
    this.pending.push({ ts, item });
    const out: AheadDecision<T>[] = [];
    while (this.pending.length > this.window) out.push(this.decideHead());
    return out;
  }

  /** End of the stream: decides what still waits for followers, with those it has. */
  end(): AheadDecision<T>[] {
    const out: AheadDecision<T>[] = [];
    while (this.pending.length > 0) out.push(this.decideHead());
    return out;
  }

  private decideHead(): AheadDecision<T> {
    const head = this.pending.shift() as { ts: number; item: T };
    const after = this.pending.slice(0, this.window).map((p) => p.ts);
    const followers = after.length === 0 ? null : median(after);
    const before = this.acceptedMax === -Infinity ? null : this.acceptedMax;
    const quarantined = followers !== null && head.ts > followers + this.maxAheadMs && (before === null || head.ts > before + this.maxAheadMs);
    if (!quarantined && head.ts > this.acceptedMax) this.acceptedMax = head.ts;
    return { item: head.item, ts: head.ts, quarantined, followers, before };
  }
}
