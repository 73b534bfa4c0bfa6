// The event-time floor of produce-to-alert latency: the watermark (min over streams of max
// event time - bound) after each send, and the wall wait until it passes an alert's time.
import { describe, expect, it } from 'vitest';
import { SendLog, waitPast, watermarks } from '../../../bench/lib/event-time-floor.ts';

/** Sends at 10 ms intervals: [id, event time, stream]. */
function log(sends: readonly (readonly [string, number, number])[]): SendLog {
  const l = new SendLog();
  l.add(sends.map((s) => s[0]), sends.map((_, i) => 1000 + i * 10), sends.map((s) => s[1]), sends.map((s) => s[2]));
  return l;
}

describe('event-time floor', () => {
  const sends = log([['a', 100, 0], ['b', 110, 0], ['c', 105, 1], ['d', 200, 1], ['e', 300, 0], ['f', 250, 1]]);

  it('holds the watermark at -Infinity until every stream sent, then follows the slowest stream', () => {
    expect([...watermarks(sends, 2, 5)]).toEqual([-Infinity, -Infinity, 100, 105, 195, 245]);
    expect([...watermarks(sends, 3, 5)]).toEqual(new Array(6).fill(-Infinity));
  });

  it('waits from the completing send to the first send that moves the watermark strictly past the alert time', () => {
    const w = watermarks(sends, 2, 5);
    expect(['a', 'b', 'c', 'd', 'e'].map((id) => waitPast(w, sends, sends.indexOf(id) as number, sends.ts[sends.indexOf(id) as number] as number))).toEqual([
      30, // a at 100: past once d (wm 105) is sent
      30, // b at 110: e (wm 195)
      20, // c at 105: e; 105 itself is not past
      20, // d at 200: f (wm 245)
      undefined, // e at 300: the watermark never passes it (only the idle flush would)
    ]);
    expect(waitPast(w, sends, 5, 240)).toBe(0);
  });

  it('indexes sends by event id', () => {
    expect([sends.indexOf('c'), sends.indexOf('nope'), sends.size]).toEqual([2, undefined, 6]);
  });
});
