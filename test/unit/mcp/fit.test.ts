// The size cap: a value that fits is returned as is; one that does not loses the tail of its
// largest arrays (then long strings) until it fits, and every cut is listed.
import { describe, expect, it } from 'vitest';
import { fitToSize } from '../../../src/mcp/fit.ts';

const size = (v: unknown): number => Buffer.byteLength(JSON.stringify(v));

describe('fitToSize', () => {
  it('returns a value that fits unchanged, with no cuts', () => {
    const v = { items: [1, 2, 3] };
    expect(fitToSize(v, 100)).toEqual({ value: v, cuts: [] });
    expect(fitToSize(v, 100).value).toBe(v);
  });

  it('halves the largest array until the value fits, keeping its head', () => {
    const v = { notice: 'n', items: Array.from({ length: 40 }, (_, i) => ({ id: `al_${i}`, n: i })), small: [1, 2] };
    const r = fitToSize(v, 300);
    expect(r).toEqual({
      value: { notice: 'n', items: Array.from({ length: 10 }, (_, i) => ({ id: `al_${i}`, n: i })), small: [1, 2] },
      cuts: [{ path: 'items', kept: 10, total: 40 }],
    });
    expect(size(r.value)).toBeLessThanOrEqual(300);
    expect(v.items).toHaveLength(40); // the input is not changed
  });

  it('cuts nested arrays and long strings, and lists only cuts that still apply', () => {
    const long = 'x'.repeat(400);
    const v = { matched: [{ step: 'a', events: Array.from({ length: 8 }, (_, i) => ({ i })) }, { step: 'b', events: [{ ua: long }] }], message: 'short' };
    const r = fitToSize(v, 220);
    expect(r).toEqual({
      value: { matched: [{ step: 'a', events: Array.from({ length: 8 }, (_, i) => ({ i })) }], message: 'short' },
      cuts: [{ path: 'matched', kept: 1, total: 2 }],
    });
    const s = fitToSize({ ua: long }, 150);
    expect(s).toEqual({ value: { ua: `${'x'.repeat(100)}…` }, cuts: [{ path: 'ua', kept: 100, total: 400 }] });
  });
});
