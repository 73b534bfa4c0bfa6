// The future-event guard's decisions, each as a whole list: the service rule against the
// record's Kafka timestamp, the file rule against the stream's neighbours (a runaway event in
// the middle, first, in a short burst; a real gap; the last event; a long run taken at its
// word), and the home shard quarantining before any watermark moves, then an operator's reset
// making events behind the old watermark on time again.
import { describe, expect, it } from 'vitest';
import { FUTURE, LATE, ShardCore } from '../../../src/core/shard-core.ts';
import { StreamAheadGuard, aheadOfRecord } from '../../../src/core/time-guard.ts';
import type { AheadDecision } from '../../../src/core/time-guard.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { login } from '../../../src/testing.ts';

const H = 3_600_000;
const Y2099 = Date.UTC(2099, 0, 1);
const T = Date.UTC(2026, 1, 2, 9);

describe('service rule: against the record\'s Kafka timestamp', () => {
  it('quarantines an event more than maxFutureSkewMs ahead of its record, judges no record without a timestamp', () => {
    const skew = 300_000;
    const cases: [string, number, number][] = [
      ['on time', T, T], ['behind its record (a backfill)', T - 30 * 86_400_000, T], ['exactly the skew ahead', T + skew, T],
      ['1 ms more', T + skew + 1, T], ['2099 from a producer at T', Y2099, T], ['no timestamp (-1)', Y2099, -1], ['timestamp 0 (none packed)', Y2099, 0], ['NaN', Y2099, NaN],
    ];
    expect(cases.map(([what, ts, rec]) => [what, aheadOfRecord(ts, rec, skew)])).toEqual([
      ['on time', false], ['behind its record (a backfill)', false], ['exactly the skew ahead', false],
      ['1 ms more', true], ['2099 from a producer at T', true], ['no timestamp (-1)', false], ['timestamp 0 (none packed)', false], ['NaN', false],
    ]);
  });
});

/** Runs the file rule over `times` (window 4, bound 1 h): [time, quarantined, followers' median, latest before]. */
function decide(times: readonly number[], window = 4): [number, boolean, number | null, number | null][] {
  const g = new StreamAheadGuard<number>(H, window);
  const out: AheadDecision<number>[] = [];
  times.forEach((t, i) => out.push(...g.push(t, i)));
  out.push(...g.end());
  expect(out.map((d) => d.item)).toEqual(times.map((_, i) => i)); // every event decided once, in order
  return out.map((d) => [d.ts, d.quarantined, d.followers, d.before]);
}
const m = (n: number): number => T + n * 60_000;

describe('file rule: against the stream\'s neighbours', () => {
  it('quarantines one runaway event in the middle; nothing else moves', () => {
    expect(decide([m(0), m(1), m(2), Y2099, m(3), m(4), m(5), m(6)])).toEqual([
      [m(0), false, m(2), null], [m(1), false, m(3), m(0)], [m(2), false, m(4), m(1)],
      [Y2099, true, m(4), m(2)],
      [m(3), false, m(5), m(2)], [m(4), false, m(5), m(3)], [m(5), false, m(6), m(4)], [m(6), false, null, m(5)],
    ]);
  });

  it('the first event has nothing before it: its followers decide alone', () => {
    expect(decide([Y2099, m(0), m(1), m(2), m(3)]).map(([ts, q]) => [ts, q])).toEqual([[Y2099, true], [m(0), false], [m(1), false], [m(2), false], [m(3), false]]);
  });

  it('a real gap (a weekend) is confirmed by the events after it: nothing quarantined', () => {
    const monday = m(0) + 63 * H;
    expect(decide([m(0), m(1), m(2), monday, monday + 60_000, monday + 120_000, monday + 180_000]).filter(([, q]) => q)).toEqual([]);
  });

  it('the last event has no followers: accepted, even after a gap (nothing after it could be made late)', () => {
    expect(decide([m(0), m(1), m(2), m(0) + 63 * H]).map(([, q]) => q)).toEqual([false, false, false, false]);
  });

  it('a short burst of runaway events is quarantined; a run longer than half the window is the stream\'s new time', () => {
    const burst = [m(0), m(1), Y2099, Y2099 + 1, m(2), m(3), m(4), m(5), m(6)];
    expect(decide(burst, 8).filter(([, q]) => q).map(([ts]) => ts)).toEqual([Y2099, Y2099 + 1]);
    const run = [m(0), m(1), ...Array.from({ length: 6 }, (_, i) => Y2099 + i), m(2), m(3)];
    expect(decide(run, 8).filter(([, q]) => q).map(([ts]) => ts)).toEqual([]);
  });

  it('an event ahead of its followers but not of what came before it is not quarantined: the followers are late, not it', () => {
    expect(decide([m(99), m(100), m(101), m(102), m(0), m(1), m(2), m(3)]).slice(0, 4)).toEqual([
      [m(99), false, m(100), null], [m(100), false, m(1), m(99)], [m(101), false, m(1), m(100)], [m(102), false, m(1), m(101)],
    ]);
  });

  it('decides an event once the window after it is read, not before', () => {
    const g = new StreamAheadGuard<number>(H, 3);
    expect([g.push(m(0), 0), g.push(m(1), 1), g.push(m(2), 2)].map((ds) => ds.length)).toEqual([0, 0, 0]);
    expect(g.push(m(3), 3).map((d) => d.item)).toEqual([0]);
    expect(g.end().map((d) => d.item)).toEqual([1, 2, 3]);
  });
});

describe('home shard', () => {
  it('quarantines before any watermark moves; late and on-time events as before', async () => {
    const rules = (await loadRules(['brute-force'])).map((l) => l.rule);
    const core = new ShardCore(rules, { outOfOrdernessMs: 5000 }, 0, 1, undefined, 300_000);
    core.streams.ensure(1);
    const out = new Int32Array(64);
    const route = (id: string, ts: number, recordTs: number): number => core.route(0, login(id, ts, { account: 'A1' }), null, out, recordTs);
    const steps = [route('a', T, T), route('future', Y2099, T), route('b', T + 1000, T + 1000), route('old', T - 10_000, T + 1000), route('no-record-time', T + 2000, NaN)];
    expect({ steps, maxTs: core.streams.maxTsOf(0), watermark: core.streams.watermarkOf(0) }).toEqual({
      steps: [0, FUTURE, 0, LATE, 0], maxTs: T + 2000, watermark: T - 3000,
    });
  });

  it('a reset lowers the stream\'s max time and the engine\'s watermark (never raises them), and makes the stream active', async () => {
    const rules = (await loadRules(['brute-force'])).map((l) => l.rule);
    const core = new ShardCore(rules, { outOfOrdernessMs: 5000 }, 0, 1);
    core.streams.ensure(2);
    const out = new Int32Array(64);
    core.route(0, login('burst', T + 10 * H, { account: 'B1' }), null, out);
    core.advance(T + 10 * H - 5000);
    core.streams.setActive(0, false);
    const lateBefore = core.route(0, login('x', T, { account: 'A1' }), null, out);
    core.resetStream(0, T - 60_000 + 5000, T - 60_000);
    const after = { maxTs: core.streams.maxTsOf(0), active: core.streams.isActive(0), engine: core.engine.watermark, buffered: core.engine.stats().buffered };
    const onTimeAfter = core.route(0, login('y', T, { account: 'A1' }), null, out);
    core.resetStream(0, T + 20 * H, T + 20 * H); // raising is not a reset: nothing moves
    expect({ lateBefore, after, onTimeAfter, again: [core.streams.maxTsOf(0), core.engine.watermark] }).toEqual({
      lateBefore: LATE,
      // The burst event stays buffered (at T + 10 h, after the old watermark): it waits for time to pass it again.
      after: { maxTs: T - 55_000, active: true, engine: T - 60_000, buffered: 1 },
      onTimeAfter: 0,
      again: [T, T - 60_000],
    });
  });
});
