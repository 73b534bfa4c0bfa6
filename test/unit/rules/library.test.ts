// The library's factories: parameters change what a rule detects and how it names itself,
// and values a rule cannot work with are refused when it is built.
import { describe, expect, it } from 'vitest';
import { accountTakeover, bruteForce, spoofing, structuring } from 'cepheus/rules';
import { alertsOf, run, transfer } from 'cepheus/testing';
import { hours, minutes } from '../../../src/events/time.ts';

const H = 3_600_000;
const out = (id: string, ts: number, amount: number) => transfer(id, ts, { amount, counterparty: id });

describe('rule library factories', () => {
  it('structuring with a lower threshold, a wider band and a shorter window', () => {
    const rule = structuring({ id: 'structuring-eu', threshold: 5_000, band: 0.2, minTransfers: 2, within: hours(6) });
    expect({ id: rule.id, version: rule.version, severity: rule.severity, description: rule.description, tags: rule.tags })
      .toEqual({ id: 'structuring-eu', version: 1, severity: 'high', description: '>= 2 outbound transfers in [4000, 5000) within 6 h', tags: ['aml'] });
    const events = [out('a', 0, 4_100), out('b', 1 * H, 9_500), out('c', 2 * H, 4_900), out('d', 10 * H, 4_500), out('e', 17 * H, 4_400)];
    const { alerts, effects } = run([rule], events);
    expect(alertsOf(effects)).toEqual([{ rule: 'structuring-eu', key: 'A1', at: 2 * H, steps: { window: ['a', 'c'] } }]);
    expect(alerts.map((a) => a.message)).toEqual(['A1: 2 transfers just under 5000 (total 9000) to 2 beneficiaries']);
    expect(run([structuring()], events).alerts).toEqual([]);
  });

  it('takes identity parameters: id, version, severity and tags', () => {
    const r = bruteForce({ id: 'brute-force-strict', version: 3, severity: 'critical', tags: ['x'], minFailures: 4, within: minutes(2) });
    expect({ id: r.id, version: r.version, severity: r.severity, tags: r.tags, description: r.description })
      .toEqual({ id: 'brute-force-strict', version: 3, severity: 'critical', tags: ['x'], description: '>= 4 failed logins on one account within 2 min' });
  });

  it('refuses values the rule cannot work with, naming the rule and the parameter', () => {
    expect(() => structuring({ threshold: -1 })).toThrow('CEP_ERR_RULE_INVALID: structuring: threshold must be a number > 0 (got -1)');
    expect(() => structuring({ id: 's2', band: 1 })).toThrow('CEP_ERR_RULE_INVALID: s2: band must be a number between 0 and 1 (exclusive) (got 1)');
    expect(() => accountTakeover({ minFailures: 5, maxFailures: 4 })).toThrow('CEP_ERR_RULE_INVALID: account-takeover: maxFailures must be a whole number >= 5 (got 4)');
    expect(() => spoofing({ minLargeOrders: 1 })).toThrow('CEP_ERR_RULE_INVALID: spoofing: minLargeOrders must be a whole number >= 2 (got 1)');
  });
});
