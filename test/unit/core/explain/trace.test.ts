// The tracing proxy records what a predicate read, with the values read, and changes nothing
// about what the predicate returns or throws.
import { describe, expect, it } from 'vitest';
import { trace } from '../../../../src/core/explain/trace.ts';
import { login } from '../helpers.ts';

describe('trace', () => {
  it('records event fields, captures (arrays of events too) and context, in the order first read', () => {
    const e = login('l9', 5, { device: 'd7', success: true });
    const m = { fails: [login('f1', 1, { device: 'd1' }), login('f2', 2, { device: 'd7' })] };
    const ctx = { knownDevices: ['d1', 'd2'], seen: new Set(['x', 'a']) };
    const where = (ev: typeof e, caps: typeof m, c: typeof ctx): boolean =>
      ev.success && !c.knownDevices.includes(ev.device) && caps.fails.some((f) => f.device === ev.device) && !c.seen.has(ev.device);
    expect(trace('takeover', where as never, [['e', e], ['m', m], ['ctx', ctx]])).toEqual({
      evaluation: {
        label: 'takeover', result: true,
        reads: [
          { path: 'e.success', value: true },
          { path: 'e.device', value: 'd7' },
          { path: 'ctx.knownDevices', value: ['d1', 'd2'] },
          { path: 'm.fails.length', value: 2 },
          { path: 'm.fails[0].device', value: 'd1' },
          { path: 'm.fails[1].device', value: 'd7' },
          { path: 'ctx.seen', value: ['a', 'x'] },
        ],
      },
      threw: false, thrown: undefined,
    });
  });

  it('returns what the engine reads (truthiness), records a plain context, and hands back what the predicate threw', () => {
    const boom = new Error('no amount');
    expect(trace('big', ((e: { amount: number }, n: number) => e.amount * n) as never, [['e', { amount: 3 }], ['ctx', 2]])).toEqual({
      evaluation: { label: 'big', result: true, reads: [{ path: 'ctx', value: 2 }, { path: 'e.amount', value: 3 }] }, threw: false, thrown: undefined,
    });
    expect(trace('bad', (() => { throw boom; }) as never, [['e', {}]])).toEqual({
      evaluation: { label: 'bad', result: false, reads: [], error: 'Error: no amount' }, threw: true, thrown: boom,
    });
  });
});
