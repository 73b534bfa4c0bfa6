import { describe, expect, it } from 'vitest';
import { alertsOf, run, transfer } from 'cepheus/testing';
import rule from './structuring.ts';

const H = 3_600_000;
const out = (id: string, ts: number, amount: number, counterparty = 'X') => transfer(id, ts, { amount, counterparty });

describe('structuring', () => {
  it('fires on three transfers just under 10 000 within 24 h', () => {
    const { alerts, effects } = run([rule], [out('a', 0, 9_500, 'X'), out('n', H, 15_000), out('b', 5 * H, 9_900, 'Y'), out('c', 20 * H, 9_000, 'Z')]);
    expect(alertsOf(effects)).toEqual([{ rule: 'structuring', key: 'A1', at: 20 * H, steps: { window: ['a', 'b', 'c'] } }]);
    expect(alerts[0]?.aggregates).toEqual({ transfers: 3, total: 28_400, beneficiaries: 3 });
  });

  it('stays silent on two such transfers, on three of 5 000, and on three over 30 h', () => {
    expect(run([rule], [out('a', 0, 9_500), out('b', H, 9_600)]).alerts).toEqual([]);
    expect(run([rule], [out('a', 0, 5_000), out('b', H, 5_000), out('c', 2 * H, 5_000)]).alerts).toEqual([]);
    expect(run([rule], [out('a', 0, 9_500), out('b', 15 * H, 9_600), out('c', 30 * H, 9_700)]).alerts).toEqual([]);
  });
});
