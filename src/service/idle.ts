// Is a stream (a partition) idle? Quiet for idleTimeoutMs while the consumer kept fetching
// and not paused, which the caller checks, and read to its end by the broker's high
// watermark. One record short counts only if it stays one short for a whole idle period:
// that record is then a transaction marker, which the consumer never delivers.
export interface IdleProbe {
  /** Next offset expected from the consumer. */
  readonly next: number;
  /** Since when the stream has been one record short of its end, at which `next`. */
  oneShort: { since: number; next: number } | undefined;
}

export function readToEnd(s: IdleProbe, highWatermark: number, now: number, idleForMs: number): boolean {
  const behind = highWatermark - s.next;
  if (behind <= 0) return true;
  if (behind > 1) return false;
  if (s.oneShort === undefined || s.oneShort.next !== s.next) {
    s.oneShort = { since: now, next: s.next };
    return false;
  }
  return now - s.oneShort.since >= idleForMs;
}
