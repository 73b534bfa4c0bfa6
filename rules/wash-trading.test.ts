import { describe, expect, it } from 'vitest';
import { alertsOf, run, trade } from 'cepheus/testing';
import rule from './wash-trading.ts';

const leg1 = trade('b', 1_000, { account: 'A', side: 'BUY', qty: 700, price: 12.5, counterpartyAccount: 'B' });
const leg2 = (over: Parameters<typeof trade>[2] = {}, ts = 3_000) => trade('s', ts, { account: 'B', side: 'SELL', qty: 700, price: 12.5, counterpartyAccount: 'A', ...over });

describe('wash-trading', () => {
  it('fires on mirrored trades between two accounts within 5 s', () => {
    const { alerts, effects } = run([rule], [leg1, leg2()]);
    expect(alertsOf(effects)).toEqual([{ rule: 'wash-trading', key: 'XS1', at: 3_000, steps: { leg1: ['b'], leg2: ['s'] } }]);
    expect(alerts[0]?.message).toBe('XS1: A BUY and B SELL 700 @ 12.5, 2000 ms apart');
  });

  it('stays silent when quantities differ, 30 s apart, or the counterparty does not mirror', () => {
    expect(run([rule], [leg1, leg2({ qty: 650 })]).alerts).toEqual([]);
    expect(run([rule], [leg1, leg2({}, 31_000)]).alerts).toEqual([]);
    expect(run([rule], [leg1, leg2({ counterpartyAccount: 'C' })]).alerts).toEqual([]);
  });
});
