// Where each stream starts after an assignment or a restart, and how far it must be re-read
// with outputs suppressed:
//
//   checkpoint position O_s  committed offset O_c   start   re-read (recovery) up to
//   yes                      O_c > O_s              O_s     O_c   (the run after the checkpoint committed these)
//   yes                      none or O_c <= O_s     O_s     -
//   no                       O_c                    O_c     -     (state lost: warned)
//   no                       none                   first or next record (startFrom)
//
// A start before the partition's first record (retention deleted what the checkpoint
// needs) moves to the first record, and says so.
import type { CheckpointStream } from './checkpoint.ts';

export interface StreamStart {
  readonly start: number;
  readonly recoverTo: number | null;
  readonly committed: number | null;
  /** Never read by this group (no checkpoint position, no committed offset). */
  readonly fresh: boolean;
  /** Records the start needed were deleted: the first record left, instead of this. */
  readonly lost: number | null;
}

export function planStart(saved: CheckpointStream | undefined, committed: number | undefined, bounds: { low: number; high: number } | undefined, startFrom: 'earliest' | 'latest'): StreamStart {
  const fromCheckpoint = saved?.offset !== undefined && saved.offset !== null ? Number(saved.offset) : undefined;
  let start = fromCheckpoint ?? committed;
  const fresh = start === undefined;
  if (start === undefined) start = startFrom === 'earliest' ? bounds?.low ?? 0 : bounds?.high ?? 0;
  let lost: number | null = null;
  if (bounds !== undefined && start < bounds.low) {
    lost = start;
    start = bounds.low;
  }
  const recoverTo = fromCheckpoint !== undefined && committed !== undefined && committed > start ? committed : null;
  return { start, recoverTo, committed: committed ?? null, fresh, lost };
}
