// The pipeline's default timers, on vitest's fake timers (time moves only when the test says):
// anything thrown becomes an Error; `interval` calls every `ms` until cancelled; `pause` resolves
// after `ms`, on a timer that does not keep the process alive.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { asError, interval, pause } from '../../../src/service/clock.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('asError', () => {
  it('keeps an Error as it is and wraps anything else thrown', () => {
    const e = new RangeError('out of range');
    const wrapped = [asError('broker said no'), asError(42), asError(undefined), asError({ code: 'X' })];
    expect(asError(e)).toBe(e);
    expect(wrapped.map((w) => [w instanceof Error, w.message])).toEqual([[true, 'broker said no'], [true, '42'], [true, 'undefined'], [true, '[object Object]']]);
  });
});

describe('interval', () => {
  it('calls every ms until cancelled, then never again', () => {
    const calls: number[] = [];
    const cancel = interval(100, () => calls.push(Date.now() - T0));
    vi.advanceTimersByTime(350);
    cancel();
    vi.advanceTimersByTime(1000);
    expect([calls, vi.getTimerCount()]).toEqual([[100, 200, 300], 0]);
  });
});

describe('pause', () => {
  it('resolves after ms and not before', async () => {
    const at: number[] = [];
    void pause(1000).then(() => at.push(Date.now() - T0));
    await vi.advanceTimersByTimeAsync(999);
    const before = [...at];
    await vi.advanceTimersByTimeAsync(1);
    expect([before, at]).toEqual([[], [1000]]);
  });

  it('does not keep the process alive while it waits', async () => {
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const waiting = pause(1000);
    const timer = timers.mock.results[0]?.value as NodeJS.Timeout;
    expect([timers.mock.calls.length, timers.mock.calls[0]?.[1], timer.hasRef()]).toEqual([1, 1000, false]);
    await vi.advanceTimersByTimeAsync(1000);
    await waiting;
  });
});
