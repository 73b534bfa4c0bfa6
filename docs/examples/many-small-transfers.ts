// Guide example: a threshold over an exact event-time sliding window.
import { hours, keyBy, sliding, threshold, transfer } from './kit.ts';

const byAccount = keyBy('account', { transfer: (e) => e.account });

export default threshold({
  id: 'many-small-transfers',
  version: 1,
  severity: 'medium',
  description: 'at least 4 outbound transfers under 1 000 within an hour',
  key: byAccount,
  on: 'transfer',
  where: (e) => e.direction === 'OUT' && e.amount < 1_000,
  window: sliding(hours(1)),
  measures: (m) => ({ n: m.count(), total: m.sum((e) => e.amount), payees: m.distinct((e) => e.counterparty), sd: m.stddev((e) => e.amount) }),
  when: (a) => a.n >= 4 && a.payees >= 3,
  message: (a) => `${a.n} small transfers (${a.total} total) to ${a.payees} payees`,
});

const M = 60_000;
export const sample = [
  transfer('a', 0, { amount: 400, counterparty: 'P1' }),
  transfer('b', 10 * M, { amount: 450, counterparty: 'P2' }),
  transfer('big', 15 * M, { amount: 5_000, counterparty: 'P9' }),
  transfer('c', 20 * M, { amount: 500, counterparty: 'P3' }),
  transfer('d', 30 * M, { amount: 550, counterparty: 'P1' }),
];
