// The part of produce-to-alert latency that event time imposes, whatever the service's
// speed. An alert decided at event time t is emitted once the watermark passes t, and the
// watermark is the minimum over every input partition of (its largest event time - the
// out-of-orderness bound): it only moves when every partition has sent records that far.
// From the log of what was sent (in order: when, event time, partition), the floor of one
// alert is the wall time from its completing event's send to the first send after which
// the watermark is past t. A sparse partition (no trades over a fixture weekend, few
// transfers at night) holds every alert back until its next record.
//
// Idle partitions stop holding the watermark after idleTimeoutMs; the floor ignores that,
// which is exact as long as no partition stays silent that long under load (at the bench's
// rates, the longest gap is a fixture weekend: well under a second of wall time).

/** What the producer sent, in send order. */
export class SendLog {
  readonly at: number[] = [];
  readonly ts: number[] = [];
  readonly stream: number[] = [];
  private readonly index = new Map<string, number>();

  add(ids: readonly string[], at: ArrayLike<number>, ts: ArrayLike<number>, stream: ArrayLike<number>): void {
    for (let i = 0; i < ids.length; i++) {
      this.index.set(ids[i] as string, this.at.length);
      this.at.push(at[i] as number);
      this.ts.push(ts[i] as number);
      this.stream.push(stream[i] as number);
    }
  }

  /** Send position of an event, undefined when it was not sent. */
  indexOf(id: string): number | undefined {
    return this.index.get(id);
  }

  get size(): number {
    return this.at.length;
  }
}

/** Watermark after each send: -Infinity until every one of `streams` has sent a record. */
export function watermarks(log: SendLog, streams: number, boundMs: number): Float64Array {
  const maxTs = new Array<number>(streams).fill(-Infinity);
  const out = new Float64Array(log.size);
  let min = -Infinity;
  for (let i = 0; i < log.size; i++) {
    const s = log.stream[i] as number;
    const ts = log.ts[i] as number;
    if (ts > (maxTs[s] as number)) {
      const was = maxTs[s] as number;
      maxTs[s] = ts;
      // Only the stream that held the minimum can raise it.
      if (was === min) min = Math.min(...maxTs);
    }
    out[i] = min - boundMs;
  }
  return out;
}

/** Wall ms from send `i` to the first send (at or after it) that moves the watermark past `t`; undefined if none. */
export function waitPast(w: Float64Array, log: SendLog, i: number, t: number): number | undefined {
  // The watermark never goes back: binary search for the first position past t.
  let lo = i;
  let hi = w.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((w[mid] as number) > t) hi = mid;
    else lo = mid + 1;
  }
  return lo < w.length ? (log.at[lo] as number) - (log.at[i] as number) : undefined;
}
