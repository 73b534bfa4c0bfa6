// Event time on a simulated clock: the track remembers when the watermark last changed (a new
// run starts a new one); it is stalled only when input keeps arriving and the watermark stood
// still for the bound, and far ahead only when it is more than the bound past the wall clock.
import { describe, expect, it } from 'vitest';
import { trackWatermark, watermarkReasons } from '../../../src/service/watermark-health.ts';
import type { WatermarkBounds } from '../../../src/service/watermark-health.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const WM = Date.parse('2026-03-01T11:00:00Z');
const bounds: WatermarkBounds = { stallMs: 120_000, aheadMs: 900_000 };
const AHEAD_REMEDY = "(records whose Kafka timestamps are in the future too passed the future-event guard; events on time are now late: fix the producer's clock or timestamps, then reset the watermark)";

describe('watermark track', () => {
  it('starts with a run, keeps when the watermark last changed, moves when it does', () => {
    const a = trackWatermark(undefined, T0, -Infinity);
    const b = trackWatermark(a, T0 + 5000, -Infinity);
    const c = trackWatermark(b, T0 + 9000, WM);
    const d = trackWatermark(c, T0 + 20_000, WM);
    expect([a, b, c, d, trackWatermark(undefined, T0 + 30_000, WM)]).toEqual([
      { value: -Infinity, movedAt: T0 }, { value: -Infinity, movedAt: T0 }, { value: WM, movedAt: T0 + 9000 }, { value: WM, movedAt: T0 + 9000 },
      { value: WM, movedAt: T0 + 30_000 },
    ]);
    expect([b === a, d === c]).toEqual([true, true]);
  });
});

describe('watermark reasons', () => {
  const still = { value: WM, movedAt: T0 };

  it('says nothing without a run', () => {
    expect(watermarkReasons(undefined, T0 + 3_600_000, T0 + 3_600_000, bounds)).toEqual([]);
  });

  it('is stalled when input arrives and event time stood still for the bound; quiet input is not a stall', () => {
    expect([
      watermarkReasons(still, T0 + 119_999, T0 + 119_000, bounds),
      watermarkReasons(still, T0 + 120_000, T0 + 119_000, bounds),
      watermarkReasons(still, T0 + 120_000, T0, bounds), // the last record is as old as the bound: quiet
      watermarkReasons(still, T0 + 200_400, T0 + 200_000, bounds),
      watermarkReasons({ value: -Infinity, movedAt: T0 }, T0 + 120_000, T0 + 119_000, bounds),
    ]).toEqual([
      [],
      ['watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for 120 s (a partition holds it back)'],
      [],
      ['watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for 200 s (a partition holds it back)'],
      ['watermark stalled: input keeps arriving but event time has stood before the first event for 120 s (a partition holds it back)'],
    ]);
  });

  it('is far ahead when more than the bound past the wall clock, and can be both at once', () => {
    const ahead = (ms: number) => ({ value: T0 + ms, movedAt: T0 });
    expect([
      watermarkReasons(ahead(900_000), T0, T0, bounds),
      watermarkReasons(ahead(900_001), T0, T0, bounds),
      watermarkReasons(ahead(3_600_000), T0 + 1000, T0, bounds),
      watermarkReasons(ahead(3_600_000), T0 + 120_000, T0 + 119_000, bounds),
    ]).toEqual([
      [],
      [`watermark far ahead of the wall clock: 2026-03-01T12:15:00.001Z is 15 min in the future ${AHEAD_REMEDY}`],
      [`watermark far ahead of the wall clock: 2026-03-01T13:00:00.000Z is 60 min in the future ${AHEAD_REMEDY}`],
      [
        'watermark stalled: input keeps arriving but event time has stood at 2026-03-01T13:00:00.000Z for 120 s (a partition holds it back)',
        `watermark far ahead of the wall clock: 2026-03-01T13:00:00.000Z is 58 min in the future ${AHEAD_REMEDY}`,
      ],
    ]);
  });
});
