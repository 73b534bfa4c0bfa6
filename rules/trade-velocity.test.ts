import { describe, expect, it } from 'vitest';
import { alertsOf, run, trade } from 'cepheus/testing';
import rule from './trade-velocity.ts';

const burst = (n: number, gap: number) => Array.from({ length: n }, (_, i) => trade(`t${i}`, i * gap, { notional: 100 }));

describe('trade-velocity', () => {
  it('fires on the 30th trade within 5 minutes', () => {
    const { alerts, effects } = run([rule], burst(30, 5_000));
    expect(alertsOf(effects)).toEqual([{ rule: 'trade-velocity', key: 'A1', at: 29 * 5_000, steps: { window: burst(30, 5_000).map((t) => t.id) } }]);
    expect(alerts[0]?.aggregates).toEqual({ trades: 30, notional: 3000, instruments: 1 });
  });

  it('stays silent on 20 trades in 5 minutes and on 30 trades over an hour', () => {
    expect(run([rule], burst(20, 5_000)).alerts).toEqual([]);
    expect(run([rule], burst(30, 120_000)).alerts).toEqual([]);
  });
});
