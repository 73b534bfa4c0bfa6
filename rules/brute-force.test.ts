import { describe, expect, it } from 'vitest';
import { alertsOf, login, run } from 'cepheus/testing';
import rule from './brute-force.ts';

const fail = (id: string, ts: number) => login(id, ts, { success: false, failureReason: 'BAD_PASSWORD', ip: `10.0.0.${(ts / 60_000) % 3}` });

describe('brute-force', () => {
  it('fires once on the 8th failure within 10 minutes, then starts counting afresh', () => {
    const events = Array.from({ length: 10 }, (_, i) => fail(`f${i}`, i * 60_000));
    const { alerts, effects } = run([rule], events);
    expect(alertsOf(effects)).toEqual([{ rule: 'brute-force', key: 'A1', at: 7 * 60_000, steps: { window: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'] } }]);
    expect(alerts[0]?.aggregates).toEqual({ failures: 8, ips: 3 });
  });

  it('stays silent on 6 failures in 10 minutes, on 8 spread over 20, and ignores successes', () => {
    expect(run([rule], Array.from({ length: 6 }, (_, i) => fail(`f${i}`, i * 60_000))).alerts).toEqual([]);
    expect(run([rule], Array.from({ length: 8 }, (_, i) => fail(`f${i}`, i * 150_000))).alerts).toEqual([]);
    expect(run([rule], Array.from({ length: 9 }, (_, i) => login(`ok${i}`, i * 1000))).alerts).toEqual([]);
  });
});
