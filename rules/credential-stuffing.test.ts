import { describe, expect, it } from 'vitest';
import { alertsOf, login, run } from 'cepheus/testing';
import rule from './credential-stuffing.ts';

const attempt = (i: number, account: string, ip = '198.51.100.7') =>
  login(`a${i}`, i * 30_000, { account, ip, success: false, failureReason: 'UNKNOWN_USER' });

describe('credential-stuffing', () => {
  it('fires when one IP fails on 10 distinct accounts within 15 minutes', () => {
    const events = Array.from({ length: 12 }, (_, i) => attempt(i, `acct-${i % 10}`));
    expect(alertsOf(run([rule], events).effects)).toEqual([
      { rule: 'credential-stuffing', key: '198.51.100.7', at: 9 * 30_000, steps: { window: ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9'] } },
    ]);
  });

  it('stays silent on 7 accounts, and on 10 accounts spread over several IPs', () => {
    expect(run([rule], Array.from({ length: 20 }, (_, i) => attempt(i, `acct-${i % 7}`))).alerts).toEqual([]);
    expect(run([rule], Array.from({ length: 10 }, (_, i) => attempt(i, `acct-${i}`, `10.1.0.${i % 2}`))).alerts).toEqual([]);
  });
});
