// Guide example: a correlation across two streams, in either order.
import { correlate, keyBy, login, minutes, transfer } from './kit.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });

export default correlate({
  id: 'foreign-login-and-payout',
  version: 1,
  severity: 'high',
  description: 'a login from abroad and an outbound transfer within 15 minutes, either order',
  key: byAccount,
  within: minutes(15),
  order: 'any',
  skip: 'skip-past-last-event',
  events: (r) => r
    .role('login', 'login', (e) => e.success && e.country !== 'GB')
    .role('payout', 'transfer', (e) => e.direction === 'OUT'),
  message: (m) => `login from ${m.login.country} and ${m.payout.amount} out`,
});

const M = 60_000;
export const sample = [
  transfer('t1', 0, { amount: 900 }),
  login('l1', 5 * M, { country: 'BR' }),
  login('l2', 40 * M, { country: 'BR' }),
  transfer('t2', 70 * M, { amount: 300 }),
];
