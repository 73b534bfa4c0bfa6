// Is event time moving as it should? Two ways it does not, both worth a 503:
//
//   stalled   input keeps arriving (a record within the last `stallMs`) but the watermark has
//             not moved for `stallMs`: some partition holds time back (events with old times,
//             a partition that is quiet but not yet idle), so windows and absences wait
//   ahead     the watermark is more than `aheadMs` past the wall clock: every event with a true
//             time is now late. The future-event guard (core/time-guard.ts) quarantines events
//             more than maxFutureSkewMs (< aheadMs) past their record's Kafka timestamp, so an
//             event it let in cannot cause this while record timestamps are true: when this
//             fires, the timestamps themselves are ahead (a producer's clock, or CreateTime set
//             from the event time); the remedy is at the producer, then a watermark reset.
//
// The track starts again with each run (a restore is not a stall).

export interface WatermarkTrack {
  readonly value: number;
  /** Wall ms the watermark last changed (or the run started). */
  readonly movedAt: number;
}

export interface WatermarkBounds {
  readonly stallMs: number;
  readonly aheadMs: number;
}

/** The track after seeing `watermark` at `now` (undefined: a new run). */
export function trackWatermark(t: WatermarkTrack | undefined, now: number, watermark: number): WatermarkTrack {
  return t === undefined || t.value !== watermark ? { value: watermark, movedAt: now } : t;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Readiness reasons about event time; `lastInput`: wall ms of the last record read. */
export function watermarkReasons(t: WatermarkTrack | undefined, now: number, lastInput: number, b: WatermarkBounds): string[] {
  if (t === undefined) return [];
  const out: string[] = [];
  const still = now - t.movedAt;
  if (still >= b.stallMs && now - lastInput < b.stallMs) {
    const at = Number.isFinite(t.value) ? `at ${iso(t.value)}` : 'before the first event';
    out.push(`watermark stalled: input keeps arriving but event time has stood ${at} for ${Math.round(still / 1000)} s (a partition holds it back)`);
  }
  if (Number.isFinite(t.value) && t.value - now > b.aheadMs) {
    out.push(`watermark far ahead of the wall clock: ${iso(t.value)} is ${Math.round((t.value - now) / 60_000)} min in the future (records whose Kafka timestamps are in the future too passed the future-event guard; events on time are now late: fix the producer's clock or timestamps, then reset the watermark)`);
  }
  return out;
}
