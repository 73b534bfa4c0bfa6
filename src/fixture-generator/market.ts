// Random-walk prices: each instrument follows a geometric random walk at one-minute steps
// while markets are open (flat when closed). Paths are built an hour at a time, in hour order,
// from the market's own PRNG stream, so prices do not depend on how many sessions ran.
import { isMarketOpen } from './calendar.ts';
import type { Prng } from './prng.ts';
import type { Instrument } from './world.ts';

export class Market {
  private readonly instruments: readonly Instrument[];
  private readonly rng: Prng;
  private readonly last: Float64Array;
  /** paths[i * 60 + minute] = price of instrument i at that minute of the current hour. */
  private readonly paths: Float64Array;
  private hourStart = -Infinity;

  constructor(instruments: readonly Instrument[], rng: Prng) {
    this.instruments = instruments;
    this.rng = rng;
    this.last = Float64Array.from(instruments.map((x) => x.price0));
    this.paths = new Float64Array(instruments.length * 60);
  }

  /** Builds the next hour's paths. Call once per hour, in order. */
  advance(hourStart: number): void {
    this.hourStart = hourStart;
    const open = isMarketOpen(hourStart);
    for (let i = 0; i < this.instruments.length; i++) {
      const sigma = (this.instruments[i] as Instrument).sigma;
      let p = this.last[i] as number;
      for (let m = 0; m < 60; m++) {
        if (open) p = Math.min(5_000, Math.max(1, p * Math.exp(sigma * this.rng.normal())));
        this.paths[i * 60 + m] = p;
      }
      this.last[i] = p;
    }
  }

  /** Price of instrument `i` at `ts`, rounded to the cent (clamped to the current hour). */
  priceAt(i: number, ts: number): number {
    const m = Math.min(59, Math.max(0, Math.floor((ts - this.hourStart) / 60_000)));
    return Math.round((this.paths[i * 60 + m] as number) * 100) / 100;
  }
}
