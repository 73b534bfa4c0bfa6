// Rules for the service's determinism and restore tests (rounds, crash recovery): patterns
// that match often on generated fixtures, under every after-match skip strategy each rule
// kind takes, so restores and shard counts are checked against every strategy.
import { correlate, keyBy, minutes, seconds, sequence, sliding, threshold, times } from 'cepheus';
import type { SkipStrategy, UnorderedSkipStrategy } from 'cepheus';

const byAccount = keyBy('account', { login: (e) => e.account, trade: (e) => e.account, transfer: (e) => e.account });
const STRATEGIES = ['no-skip', 'skip-past-last-event', 'skip-overlapping', 'skip-to-next', 'skip-to-first', 'skip-to-last'] as const;
const UNORDERED: readonly UnorderedSkipStrategy[] = ['no-skip', 'skip-past-last-event', 'skip-overlapping'];
const skipFor = (s: (typeof STRATEGIES)[number], step: string): SkipStrategy => (s === 'skip-to-first' || s === 'skip-to-last' ? `${s}(${step})` : s);

/** Every trade opens a candidate for the opposite trade on the same instrument: dense, overlapping. */
const roundTrips = STRATEGIES.map((s) => sequence({
  id: `strategy-round-trip-${s}`, version: 1, severity: 'low', description: `a trade, then the opposite trade within 2 min (${s})`, key: byAccount,
  within: minutes(2), skip: skipFor(s, 'open'),
  pattern: (p) => p.begin('open', 'trade').followedBy('close', 'trade', (e, m) => e.side !== m.open.side && e.instrument === m.open.instrument),
}));

/** Failed logins (a counted step: many candidates share events), then any login. */
const failures = STRATEGIES.map((s) => sequence({
  id: `strategy-failures-${s}`, version: 1, severity: 'low', description: `2..5 failed logins, then a login within 5 min (${s})`, key: byAccount,
  within: minutes(5), skip: skipFor(s, 'fails'),
  pattern: (p) => p.begin('fails', 'login', (e) => !e.success, times(2, 5)).followedBy('then', 'login'),
}));

const windows = UNORDERED.map((s) => threshold({
  id: `strategy-trades-${s}`, version: 1, severity: 'low', description: `3 trades within 10 min (${s})`, key: byAccount, on: 'trade',
  window: sliding(minutes(10)), skip: s, measures: (m) => ({ n: m.count() }), when: (a) => a.n >= 3,
}));

const joins = UNORDERED.map((s) => correlate({
  id: `strategy-login-transfer-${s}`, version: 1, severity: 'low', description: `a login and a transfer within 30 s, either order (${s})`, key: byAccount,
  within: seconds(30), order: 'any', skip: s, events: (r) => r.role('login', 'login').role('transfer', 'transfer'),
}));

export default [...roundTrips, ...failures, ...windows, ...joins];
