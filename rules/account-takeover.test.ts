import { describe, expect, it } from 'vitest';
import { alertsOf, login, run, transfer } from 'cepheus/testing';
import rule from './account-takeover.ts';

const M = 60_000;
const history = [login('h1', 0, { device: 'home' })];
const fails = (n: number, from: number) =>
  Array.from({ length: n }, (_, i) => login(`f${i + 1}`, from + i * 1000, { success: false, failureReason: 'BAD_PASSWORD', device: 'evil', ip: '203.0.113.9' }));

describe('account-takeover', () => {
  it('fires on failures, a new-device success and a large cash-out, with the chain and context', () => {
    const { alerts, effects } = run([rule], [...history, ...fails(4, 10 * M), login('ok', 11 * M, { device: 'evil' }), transfer('small', 12 * M, { amount: 500 }), transfer('out', 13 * M, { amount: 25_000 })]);
    expect(alertsOf(effects)).toEqual([{ rule: 'account-takeover', key: 'A1', at: 13 * M, steps: { failures: ['f1', 'f2', 'f3', 'f4'], takeover: ['ok'], cashout: ['out'] } }]);
    expect(alerts[0]?.message).toBe('4 failed logins, then a login from new device evil (GB, IP 10.0.0.1), then 25000 EUR out to X');
    expect(alerts[0]?.context).toMatchObject({ knownDevices: ['home', 'evil'], countries: ['GB'] });
    expect(alerts[0]?.severity).toBe('critical');
  });

  it('stays silent when the success comes from a known device', () => {
    expect(run([rule], [...history, ...fails(4, 10 * M), login('ok', 11 * M, { device: 'home' }), transfer('out', 13 * M, { amount: 25_000 })]).alerts).toEqual([]);
  });

  it('stays silent when the cash-out comes after 30 minutes', () => {
    expect(run([rule], [...history, ...fails(3, 10 * M), login('ok', 11 * M, { device: 'evil' }), transfer('out', 10 * M + 45 * M, { amount: 25_000 })]).alerts).toEqual([]);
  });

  it('stays silent with only two failures or a small transfer', () => {
    expect(run([rule], [...history, ...fails(2, 10 * M), login('ok', 11 * M, { device: 'evil' }), transfer('out', 12 * M, { amount: 25_000 })]).alerts).toEqual([]);
    expect(run([rule], [...history, ...fails(5, 10 * M), login('ok', 11 * M, { device: 'evil' }), transfer('out', 12 * M, { amount: 9_999 })]).alerts).toEqual([]);
  });
});
