import { describe, expect, it } from 'vitest';
import { alertsOf, login, run, transfer } from 'cepheus/testing';
import rule from './dormant-drain.ts';

const D = 86_400_000;
const H = 3_600_000;

describe('dormant-drain', () => {
  it('fires when a 30-day dormant account logs in and sends >= 20 000 out within 48 h', () => {
    const events = [login('old', 0), login('wake', 40 * D), transfer('t1', 40 * D + H, { amount: 8_000 }), transfer('in', 40 * D + 2 * H, { direction: 'IN', amount: 1 }),
      transfer('t2', 41 * D, { amount: 7_000 }), transfer('t3', 41 * D + H, { amount: 6_000 })];
    const { alerts, effects } = run([rule], events);
    expect(alertsOf(effects)).toEqual([{ rule: 'dormant-drain', key: 'A1', at: 41 * D + H, steps: { wake: ['wake'], drains: ['t1', 't2'], last: ['t3'] } }]);
    expect(alerts[0]?.message).toBe('A1: dormant account woke up and sent 21000 out in 3 transfer(s)');
  });

  it('fires on a single large drain too', () => {
    expect(alertsOf(run([rule], [login('old', 0), login('wake', 35 * D), transfer('t', 35 * D + H, { amount: 30_000 })]).effects))
      .toEqual([{ rule: 'dormant-drain', key: 'A1', at: 35 * D + H, steps: { wake: ['wake'], drains: [], last: ['t'] } }]);
  });

  it('stays silent after only 10 days of dormancy, and when the drain is too small or too late', () => {
    expect(run([rule], [login('old', 0), login('wake', 10 * D), transfer('t', 10 * D + H, { amount: 30_000 })]).alerts).toEqual([]);
    expect(run([rule], [login('old', 0), login('wake', 40 * D), transfer('t', 40 * D + H, { amount: 19_999 })]).alerts).toEqual([]);
    expect(run([rule], [login('old', 0), login('wake', 40 * D), transfer('t', 43 * D, { amount: 30_000 })]).alerts).toEqual([]);
  });
});
