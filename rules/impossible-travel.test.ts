import { describe, expect, it } from 'vitest';
import { alertsOf, login, run } from 'cepheus/testing';
import rule from './impossible-travel.ts';

const M = 60_000;

describe('impossible-travel', () => {
  it('fires on logins from Europe and Asia 40 minutes apart', () => {
    const { alerts, effects } = run([rule], [login('gb', 0, { country: 'GB' }), login('sg', 40 * M, { country: 'SG' })]);
    expect(alertsOf(effects)).toEqual([{ rule: 'impossible-travel', key: 'A1', at: 40 * M, steps: { from: ['gb'], to: ['sg'] } }]);
    expect(alerts[0]?.message).toBe('A1: login from GB (EU) then SG (AS) 40 min later');
  });

  it('stays silent for neighbouring countries, for a long flight, and for failed logins', () => {
    expect(run([rule], [login('fr', 0, { country: 'FR' }), login('de', 20 * M, { country: 'DE' })]).alerts).toEqual([]);
    expect(run([rule], [login('gb', 0, { country: 'GB' }), login('us', 6 * 60 * M, { country: 'US' })]).alerts).toEqual([]);
    expect(run([rule], [login('gb', 0, { country: 'GB' }), login('us', 10 * M, { country: 'US', success: false, failureReason: 'BAD_PASSWORD' })]).alerts).toEqual([]);
  });
});
