// The rounds' clock: the driver's and a lone shard's copy send the same watermarks when the
// copy replays the driver's activity journal, whenever the driver learns of a round.
import { describe, expect, it } from 'vitest';
import { RoundClock } from '../../../src/workers/round-clock.ts';
import type { StreamSpec } from '../../../src/workers/protocol.ts';

const spec = (maxTs: number, active = true): StreamSpec => ({ topic: 't', partition: 0, format: 'confluent', schemaId: 0, maxTs, active });
const clockOf = (...streams: StreamSpec[]): RoundClock => new RoundClock({ engine: { outOfOrdernessMs: 10 }, streams });

describe('round clock', () => {
  it('starts at the checkpoint with an empty journal', () => {
    const c = clockOf(spec(100), spec(50, false), spec(-Infinity));
    expect([c.maxTsOf(0), c.maxTsOf(1), c.isActive(1), c.watermark(), c.takeActivity()]).toEqual([100, 50, false, -Infinity, []]);
  });

  it('a round read makes streams active and moves max times forward only', () => {
    const c = clockOf(spec(100), spec(50, false));
    c.observeIngest([[0, 90], [1, 70]]);
    expect([c.maxTsOf(0), c.maxTsOf(1), c.isActive(1), c.takeActivity(), c.takeActivity()]).toEqual([100, 70, true, [[0, true], [1, true]], []]);
  });

  it('journals the last activity change per stream', () => {
    const c = clockOf(spec(100), spec(50), spec(20));
    c.setActive(1, false);
    c.setActive(2, false);
    c.setActive(1, true);
    c.setActive(7, false); // not a stream: ignored, as StreamWatermarks does
    expect(c.takeActivity()).toEqual([[1, true], [2, false]]);
  });

  it('W is monotone, held back by active streams only, and a flush takes it to the largest time seen', () => {
    const c = clockOf(spec(100), spec(50));
    const steps = [c.roundWatermark(-Infinity, false)];
    c.setActive(1, false);
    steps.push(c.roundWatermark(steps[0]?.watermark ?? NaN, false));
    c.observeIngest([[1, 60]]);
    steps.push(c.roundWatermark(steps[1]?.watermark ?? NaN, false));
    steps.push(c.roundWatermark(steps[2]?.watermark ?? NaN, true));
    expect(steps).toEqual([
      { watermark: 40, flushTo: null },
      { watermark: 90, flushTo: null },
      { watermark: 90, flushTo: null },
      { watermark: 100, flushTo: 100 },
    ]);
  });

  it('a flush before any event flushes nothing', () => {
    expect(clockOf(spec(-Infinity)).roundWatermark(-Infinity, true)).toEqual({ watermark: -Infinity, flushTo: null });
  });

  // Round 1 (reads streams 0 and 1) is submitted; stream 1 is marked idle before or after
  // round 1's report reaches the driver (a read makes a stream active again); round 2 (reads
  // stream 0) is submitted with the journal.
  it.each([
    ['before', [45, 45], true],
    ['after', [45, 120], false],
  ] as const)('a copy replaying the journal agrees with the driver: idle marked %s the report', (when, sent, activeAfter) => {
    const driver = clockOf(spec(100), spec(50));
    const copy = clockOf(spec(100), spec(50));
    const round1 = { activity: driver.takeActivity(), read: [[0, 120], [1, 55]] as [number, number][] };
    if (when === 'before') driver.setActive(1, false);
    driver.observeIngest(round1.read);
    if (when === 'after') driver.setActive(1, false);
    const round2 = { activity: driver.takeActivity(), read: [[0, 130]] as [number, number][] };
    driver.observeIngest(round2.read);
    let w = -Infinity;
    const got: number[] = [];
    for (const r of [round1, round2]) {
      for (const [s, a] of r.activity) copy.setActive(s, a);
      copy.observeIngest(r.read);
      w = copy.roundWatermark(w, false).watermark;
      got.push(w);
    }
    const state = (c: RoundClock): unknown => ({ active: [c.isActive(0), c.isActive(1)], maxTs: [c.maxTsOf(0), c.maxTsOf(1)] });
    expect({ got, copy: state(copy), driver: state(driver) }).toEqual({ got: sent, copy: state(driver), driver: { active: [true, activeAfter], maxTs: [130, 55] } });
  });
});
