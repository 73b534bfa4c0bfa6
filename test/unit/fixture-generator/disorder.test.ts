// Disorder changes delivery order only: event times stay true, in-bound disorder never lags
// the largest time seen by the bound or more, and exactly the labelled late events do (by
// less than lateMaxMs). Planted events are never late.
import { describe, expect, it } from 'vitest';
import type { AnyEvent } from '../../../src/events/types.ts';
import { generate } from '../../../src/fixture-generator/generate.ts';
import type { GenOptions } from '../../../src/fixture-generator/options.ts';

function lags(events: readonly AnyEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  let max = -Infinity;
  for (const e of events) {
    out.set(e.id, Math.max(0, max - e.ts));
    if (e.ts > max) max = e.ts;
  }
  return out;
}

describe('disorder', () => {
  it.each([
    { seed: 42, events: 30_000 },
    { seed: 5, events: 60_000, accounts: 100, disorder: 0.1, late: 0.01 },
  ] as Partial<GenOptions>[])('stays within its bound except the labelled late events (%o)', (o) => {
    const g = generate(o);
    const events = [...g.events];
    const labels = g.labels();
    const bound = labels.options.disorderBoundMs;
    const late = new Set(labels.late);
    const planted = new Set(labels.scenarios.flatMap((s) => [...s.eventIds, ...s.contextEventIds]));
    const lag = lags(events);
    let disordered = 0;
    for (const e of events) {
      const l = lag.get(e.id) ?? 0;
      if (l > 0) disordered++;
      if (late.has(e.id)) {
        expect(l).toBeGreaterThan(bound);
        expect(l).toBeLessThanOrEqual(labels.options.lateMaxMs);
        expect(planted.has(e.id)).toBe(false);
      } else {
        expect(l).toBeLessThan(bound);
      }
    }
    expect(disordered).toBe(labels.stats.disordered);
    expect(disordered).toBeGreaterThan(0);
    expect(late.size).toBeGreaterThan(0);
    expect(late.size).toBeLessThanOrEqual(Math.ceil((o.events ?? 0) * (labels.options.late * 2)));
  });

  it('only reorders: without disorder the same seed gives the same events, sorted by time', () => {
    const o = { seed: 11, events: 8_000, accounts: 100, days: 10 };
    const messy = [...generate(o).events];
    const clean = [...generate({ ...o, disorder: 0, late: 0 }).events];
    for (let i = 1; i < clean.length; i++) expect(clean[i - 1]?.ts ?? 0).toBeLessThanOrEqual(clean[i]?.ts ?? 0);
    const byId = (xs: AnyEvent[]): AnyEvent[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(byId(messy)).toStrictEqual(byId(clean));
    expect(messy.map((e) => e.id)).not.toStrictEqual(clean.map((e) => e.id));
  });
});
