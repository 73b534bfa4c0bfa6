// Idle input on a simulated clock (no timers): a stream is idle only while the consumer
// fetches, it is quiet, unpaused, with nothing pending, and the broker confirms its end (one
// record short only for a whole idle period: a transaction marker); when all are idle, a
// flush, once per event time reached, never while a stream is held at a watermark reset. The
// watch applies a verdict only while still live.
import { describe, expect, it } from 'vitest';
import { StreamWatermarks } from '../../../src/core/watermarks.ts';
import { IdleWatch, fetching, idleCheckEveryMs, idleProbe, idleVerdict, readToEnd } from '../../../src/service/idle.ts';
import type { IdleView, OneShort } from '../../../src/service/idle.ts';
import { startStream } from '../../../src/service/stream-table.ts';

const IDLE = 1000;
const view = (index: number, o: Partial<IdleView> = {}): IdleView => ({ index, active: true, pending: 0, paused: false, lastData: 0, next: 100, ...o });

describe('idle input', () => {
  it('counts a stream read to its end, and one record short only after a whole idle period', () => {
    const step = (next: number, mark: OneShort | undefined, hw: number, now: number) => readToEnd(next, mark, hw, now, IDLE);
    const a = step(99, undefined, 100, 0);
    const b = step(99, a.oneShort, 100, 500);
    const c = step(99, b.oneShort, 100, 1000);
    expect([step(99, undefined, 99, 0), step(99, undefined, 150, 0), a, b, c, step(100, c.oneShort, 101, 2000)]).toEqual([
      { end: true, oneShort: undefined },
      { end: false, oneShort: undefined },
      { end: false, oneShort: { since: 0, next: 99 } },
      { end: false, oneShort: { since: 0, next: 99 } },
      { end: true, oneShort: { since: 0, next: 99 } },
      { end: false, oneShort: { since: 2000, next: 100 } }, // one short again, at a new position: the clock restarts
    ]);
  });

  it('judges only while the consumer fetches, a few times per idle period', () => {
    expect([fetching(10_000, 8_000, 1000), fetching(10_000, 7_999, 1000), fetching(100_000, 90_000, 20_000), fetching(100_000, 89_999, 20_000)]).toEqual([true, false, true, false]);
    expect([idleCheckEveryMs(100), idleCheckEveryMs(1500), idleCheckEveryMs(10_000)]).toEqual([50, 375, 1000]);
  });

  it('asks the broker about quiet streams, or when all are quiet and events wait for a flush', () => {
    const clock = { now: 5000, idleTimeoutMs: IDLE, maxTs: 70, flushedTo: 50 };
    expect([
      idleProbe([view(0, { lastData: 4000 }), view(1, { lastData: 4500 }), view(2, { lastData: 0, pending: 3 }), view(3, { paused: true }), view(4, { active: false })], clock),
      idleProbe([view(0, { lastData: 4500 })], clock),
      idleProbe([view(0, { active: false }), view(1, { active: false })], clock),
      idleProbe([view(0, { active: false })], { ...clock, flushedTo: 70 }),
      idleProbe([], clock),
    ]).toEqual([
      { poll: true, quiet: [0] },
      { poll: false, quiet: [] },
      { poll: true, quiet: [] },
      { poll: false, quiet: [] },
      { poll: false, quiet: [] },
    ]);
  });

  it('decides from the broker\'s answer: ends reached go inactive, all inactive flushes', () => {
    const clock = { now: 5000, idleTimeoutMs: IDLE, maxTs: 70, flushedTo: 50 };
    const streams = [view(0), view(1), view(2, { lastData: 5001 }), view(3, { active: false })];
    const hws = new Map([[0, 100], [1, 101], [2, 100]]);
    expect(idleVerdict(streams, [0, 1, 2], hws, new Map(), clock)).toEqual({ inactive: [0], oneShort: new Map([[0, undefined], [1, { since: 5000, next: 100 }]]), flush: false });
    expect(idleVerdict(streams, [0, 1, 2], hws, new Map([[1, { since: 4000, next: 100 }]]), clock)).toEqual({
      inactive: [0, 1], oneShort: new Map([[0, undefined], [1, { since: 4000, next: 100 }]]), flush: false,
    });
    expect(idleVerdict([view(0), view(1, { active: false })], [0], new Map([[0, 100]]), new Map(), clock)).toEqual({ inactive: [0], oneShort: new Map([[0, undefined]]), flush: true });
    expect(idleVerdict([view(0), view(1, { active: false })], [0], new Map([[0, 100]]), new Map(), { ...clock, flushedTo: 70 })).toEqual({ inactive: [0], oneShort: new Map([[0, undefined]]), flush: false });
  });

  it('a stream held at a watermark reset is never quiet, never goes inactive, and no flush happens while one is held', () => {
    const clock = { now: 5000, idleTimeoutMs: IDLE, maxTs: 70, flushedTo: 50 };
    const held = view(1, { lastData: 0, held: true });
    expect(idleProbe([view(0, { lastData: 0 }), held], clock)).toEqual({ poll: true, quiet: [0] });
    // Asked before the reset (quiet: [0, 1]), answered after it: the held stream is left alone, and nothing is flushed.
    expect(idleVerdict([view(0), held], [0, 1], new Map([[0, 100], [1, 100]]), new Map(), clock)).toEqual({ inactive: [0], oneShort: new Map([[0, undefined]]), flush: false });
    expect(idleVerdict([view(0), { ...held, active: false }], [0], new Map([[0, 100]]), new Map(), clock)).toEqual({ inactive: [0], oneShort: new Map([[0, undefined]]), flush: false });
  });

  it('the watch sets streams inactive, flushes once, asks for a checkpoint, and applies nothing once no longer live', async () => {
    const clock = new StreamWatermarks(0, 0);
    clock.ensure(2);
    clock.observe(0, 40);
    clock.observe(1, 70);
    const requests: string[] = [];
    const rounds = { clock, requestFlush: () => requests.push('flush'), requestAdvance: () => requests.push('advance') };
    const streams = [0, 1].map((p) => startStream(p, { topic: 't', partition: p }, 'confluent', 100, null, 100, 0));
    const changed: (number | undefined)[] = [];
    let answers = 0;
    const watch = new IdleWatch({
      streams, rounds, idleTimeoutMs: IDLE,
      highWatermarks: async () => {
        answers++;
        return new Map([[0, 100], [1, 100]]);
      },
      changed: (f) => changed.push(f), pollFailed: () => requests.push('failed'),
    }, 30);
    await watch.check(500, 500, () => true); // quiet for too short
    await watch.check(5000, 1000, () => true); // the consumer stopped fetching
    await watch.check(5000, 4000, () => false); // stopped being live while the broker answered
    expect({ answers, requests, changed, active: [clock.isActive(0), clock.isActive(1)] }).toEqual({ answers: 1, requests: [], changed: [], active: [true, true] });
    await watch.check(5000, 4000, () => true);
    await watch.check(6000, 5500, () => true); // nothing new: no second flush
    expect({ answers, requests, changed, active: [clock.isActive(0), clock.isActive(1)] }).toEqual({ answers: 2, requests: ['flush', 'advance'], changed: [70], active: [false, false] });
  });
});
