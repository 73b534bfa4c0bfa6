// The account context against a brute-force reference: the devices and countries it
// remembers (most recent last, at most 8, a repeat moved to the end) for any login sequence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { login } from '../../src/testing.ts';
import { accountContext } from './account-context.ts';
import type { AccountContext } from './account-context.ts';

/** The list as the rule means it: every value, latest occurrence order, the last 8. */
function reference(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    const i = out.indexOf(v);
    if (i >= 0) out.splice(i, 1);
    out.push(v);
  }
  return out.slice(-8);
}

describe('account context', () => {
  it('remembers devices and countries of successful logins as the reference does', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 11 }), fc.integer({ min: 0, max: 11 }), fc.boolean()), { maxLength: 60 }),
      (logins) => {
        let c: AccountContext = accountContext.initial();
        const devices: string[] = [];
        const countries: string[] = [];
        logins.forEach(([d, k, success], i) => {
          const e = login(`l${i}`, 1_000 + i, { account: 'A', device: `d${d}`, country: `C${k}`, success });
          c = accountContext.fold.login?.(c, e) as AccountContext;
          if (success) {
            devices.push(`d${d}`);
            countries.push(`C${k}`);
          }
          expect(c.knownDevices).toEqual(reference(devices));
          expect(c.countries).toEqual(reference(countries));
        });
      },
    ), { numRuns: 500 });
  });
});
