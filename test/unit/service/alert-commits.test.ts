// The alert commit policy on a simulated clock: a commit soon after an alert, never sooner
// than the gap after the previous one, never two at once, and none missed for an alert
// delivered while one ran.
import { describe, expect, it } from 'vitest';
import { AlertCommits } from '../../../src/service/alert-commits.ts';

function sim(delayMs: number, minGapMs: number) {
  const clock = { now: 0 };
  const timers: { at: number; f: () => void; live: boolean }[] = [];
  const starts: number[] = [];
  const ends: (() => void)[] = [];
  const c = new AlertCommits({
    delayMs, minGapMs, now: () => clock.now,
    after: (ms, f) => {
      const t = { at: clock.now + ms, f, live: true };
      timers.push(t);
      return () => {
        t.live = false;
      };
    },
    commit: () => {
      starts.push(clock.now);
      return new Promise<void>((done) => ends.push(done));
    },
  });
  /** Moves the clock to `to`, firing due timers in order. */
  const advance = (to: number): void => {
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= to).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      clock.now = due.at;
      due.live = false;
      due.f();
    }
    clock.now = to;
  };
  /** Ends the oldest running commit and lets its continuation run. */
  const end = async (): Promise<void> => {
    ends.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { c, clock, starts, advance, end };
}

describe('alert commits', () => {
  it('commits delayMs after an alert, once for alerts delivered together', () => {
    const s = sim(2, 20);
    s.clock.now = 1000;
    s.c.alert();
    s.advance(1001);
    s.c.alert();
    s.advance(1010);
    expect(s.starts).toEqual([1002]);
  });

  it('keeps minGapMs between commit starts, the tick\'s included', async () => {
    const s = sim(2, 20);
    s.clock.now = 1000;
    s.c.tick();
    await s.end();
    s.advance(1005);
    s.c.alert();
    s.advance(1100);
    expect(s.starts).toEqual([1000, 1020]);
  });

  it('an alert while a commit runs gets a commit after it ends; the tick joins nothing while one runs', async () => {
    const s = sim(2, 20);
    s.clock.now = 1000;
    s.c.alert();
    s.advance(1002);
    s.advance(1010);
    s.c.alert();
    s.c.tick();
    s.advance(1050);
    expect(s.starts).toEqual([1002]);
    await s.end();
    s.advance(1100);
    expect(s.starts).toEqual([1002, 1052]);
    await s.end();
    s.advance(1200);
    expect(s.starts).toEqual([1002, 1052]);
  });

  it('a tick commit takes a pending alert: the armed commit is dropped', async () => {
    const s = sim(50, 0);
    s.clock.now = 1000;
    s.c.alert();
    s.advance(1010);
    s.c.tick();
    await s.end();
    s.advance(1200);
    expect(s.starts).toEqual([1010]);
  });

  it('stop cancels an armed commit, and a commit running then arms none', async () => {
    const s = sim(2, 20);
    s.c.alert();
    s.c.stop();
    s.advance(100);
    expect(s.starts).toEqual([]);
    const t = sim(2, 20);
    t.c.tick();
    t.c.alert();
    t.c.stop();
    await t.end();
    t.advance(1000);
    expect(t.starts).toEqual([0]);
  });
});
