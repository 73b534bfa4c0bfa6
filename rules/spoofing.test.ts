import { describe, expect, it } from 'vitest';
import { alertsOf, order, run, trade } from 'cepheus/testing';
import rule from './spoofing.ts';

const S = 1000;
const layer = [1, 2, 3].map((i) => order(`n${i}`, i * S, { orderId: `o${i}`, action: 'NEW', side: 'SELL', qty: 20_000 }));
const exec = trade('x', 10 * S, { side: 'BUY', qty: 500, price: 99.5 });
const cancels = [1, 2, 3].map((i) => order(`c${i}`, (20 + i) * S, { orderId: `o${i}`, action: 'CANCEL', side: 'SELL', qty: 20_000 }));

describe('spoofing', () => {
  it('fires on large orders on one side, a trade on the other, then their cancels', () => {
    const { alerts, effects } = run([rule], [...layer, exec, ...cancels]);
    expect(alertsOf(effects)).toEqual([
      { rule: 'spoofing', key: 'A1|XS1', at: 23 * S, steps: { layer: ['n1'], more: ['n2', 'n3'], execution: ['x'], cancels: ['c1', 'c2', 'c3'] } },
    ]);
    expect(alerts[0]?.message).toBe('A1|XS1: 3 large SELL orders, a BUY trade of 500 @ 99.5, then 3 cancels');
  });

  it('stays silent when the large orders fill, or the trade is on the same side', () => {
    const fills = [1, 2, 3].map((i) => order(`f${i}`, (20 + i) * S, { orderId: `o${i}`, action: 'FILL', side: 'SELL', qty: 20_000, filledQty: 20_000 }));
    expect(run([rule], [...layer, exec, ...fills]).alerts).toEqual([]);
    expect(run([rule], [...layer, trade('x', 10 * S, { side: 'SELL' }), ...cancels]).alerts).toEqual([]);
  });
});
