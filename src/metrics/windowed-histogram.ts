// An HDR histogram over a sliding window of wall time: `slices` histograms of `sliceMs` each,
// in a ring. A sample goes into the slice of its time; percentiles merge the slices still in the
// window, so a spike shows while it lasts and then leaves, instead of staying forever in
// lifetime values. Time is injected (tests drive it).
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

/** An HDR histogram in microseconds, 1 µs to 1 h, 3 significant digits. */
export const newHistogram = (): Histogram => hdr.build({ bitBucketSize: 64, lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3, useWebAssembly: false });

export class WindowedHistogram {
  private readonly ring: Histogram[];
  /** Which slice (time / sliceMs) each ring entry holds. */
  private readonly epochs: number[];
  private readonly sliceMs: number;

  constructor(sliceMs: number, slices: number) {
    this.sliceMs = sliceMs;
    this.ring = Array.from({ length: slices }, () => newHistogram());
    this.epochs = new Array<number>(slices).fill(-1);
  }

  get windowMs(): number {
    return this.sliceMs * this.ring.length;
  }

  record(micros: number, now: number): void {
    const epoch = Math.floor(now / this.sliceMs);
    const i = epoch % this.ring.length;
    const h = this.ring[i] as Histogram;
    if (this.epochs[i] !== epoch) {
      h.reset();
      this.epochs[i] = epoch;
    }
    h.recordValue(Math.min(3_600_000_000, Math.max(1, Math.round(micros))));
  }

  /** The slices within the window ending at `now`, merged into one histogram. */
  merged(now: number): Histogram {
    const epoch = Math.floor(now / this.sliceMs);
    const out = newHistogram();
    this.ring.forEach((h, i) => {
      const e = this.epochs[i] as number;
      if (e >= 0 && epoch - e < this.ring.length) out.add(h);
    });
    return out;
  }
}
