// Guide example: one pattern (Flink's `b+ c`), one stream, every after-match skip strategy.
import { keyBy, login, minutes, oneOrMore, sequence, transfer } from './kit.ts';
import type { SkipStrategy } from './kit.ts';

const byAccount = keyBy('account', { login: (e) => e.account, transfer: (e) => e.account });

const failsThenCash = (skip: SkipStrategy<'fails' | 'cash'>) => sequence({
  id: `fails-then-cash-${skip.replace(/\((\w+)\)/, '-$1')}`,
  version: 1,
  severity: 'high',
  description: 'failed logins, then any outbound transfer within 10 minutes',
  key: byAccount,
  within: minutes(10),
  skip,
  pattern: (p) => p
    .begin('fails', 'login', (e) => !e.success, oneOrMore(5))
    .followedByAny('cash', 'transfer', (e) => e.direction === 'OUT'),
});

export const rules = [
  failsThenCash('no-skip'),
  failsThenCash('skip-to-next'),
  failsThenCash('skip-to-first(fails)'),
  failsThenCash('skip-to-last(fails)'),
  failsThenCash('skip-past-last-event'),
  failsThenCash('skip-overlapping'),
];

const M = 60_000;
const fail = { success: false, failureReason: 'BAD_PASSWORD' } as const;
export const sample = [
  login('b1', 1 * M, fail),
  login('b2', 2 * M, fail),
  login('b3', 3 * M, fail),
  transfer('c1', 4 * M),
  transfer('c2', 5 * M),
];
