// Unit tests of the example rule with Node's test runner and cepheus/testing: the whole list
// of alerts for a stream of events, and silence on the near misses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertsOf, login, run, transfer } from 'cepheus/testing';
import rule from './new-country-payout.ts';

const M = 60_000;
const home = [login('h1', 0, { country: 'GB' }), login('h2', 60 * M, { country: 'GB' })];

describe('new-country-payout', () => {
  it('fires on a login from a new country followed by a large transfer out', () => {
    const { alerts, effects } = run([rule], [...home, login('l1', 120 * M, { country: 'BR' }), transfer('t1', 130 * M, { amount: 7_500 })]);
    assert.deepEqual(alertsOf(effects), [{ rule: 'new-country-payout', key: 'A1', at: 130 * M, steps: { login: ['l1'], payout: ['t1'] } }]);
    assert.deepEqual(alerts.map((a) => a.message), ['A1: login from BR, new to the account, then 7500 EUR out 10 min later']);
  });

  it('stays silent on a known country, a small transfer and a late one', () => {
    assert.deepEqual(run([rule], [...home, login('l1', 120 * M, { country: 'GB' }), transfer('t1', 125 * M, { amount: 9_000 })]).alerts, []);
    assert.deepEqual(run([rule], [...home, login('l1', 120 * M, { country: 'US' }), transfer('t1', 125 * M, { amount: 900 })]).alerts, []);
    assert.deepEqual(run([rule], [...home, login('l1', 120 * M, { country: 'SG' }), transfer('t1', 165 * M, { amount: 6_000 })]).alerts, []);
  });
});
