import { describe, expect, it } from 'vitest';
import { alertsOf, run, trade } from 'cepheus/testing';
import rule from './large-trade.ts';

const usual = Array.from({ length: 20 }, (_, i) => trade(`t${i}`, i * 60_000, { notional: 10_000 }));

describe('large-trade', () => {
  it('fires on a trade over 10x the account EWMA once 20 trades are known', () => {
    const { alerts, effects } = run([rule], [...usual, trade('big', 30 * 60_000, { notional: 150_000 })]);
    expect(alertsOf(effects)).toEqual([{ rule: 'large-trade', key: 'A1', at: 30 * 60_000, steps: { trade: ['big'] } }]);
    expect(alerts[0]?.message).toBe('trade big: notional 150000 is 15.0x the account\'s usual 10000');
    expect(alerts[0]?.context).toMatchObject({ tradeCount: 20, ewmaNotional: 10_000 });
  });

  it('stays silent at 4x, and without enough history', () => {
    expect(run([rule], [...usual, trade('four', 30 * 60_000, { notional: 40_000 })]).alerts).toEqual([]);
    expect(run([rule], [...usual.slice(0, 19), trade('big', 30 * 60_000, { notional: 500_000 })]).alerts).toEqual([]);
  });
});
