// Guide example: every trade opens a 60 s candidate for its opposite trade on the same
// instrument. Three skip strategies over one stream.
import { keyBy, seconds, sequence, trade } from './kit.ts';
import type { SkipStrategy } from './kit.ts';

const byAccount = keyBy('account', { trade: (e) => e.account });

const roundTrip = (skip: SkipStrategy) => sequence({
  id: `round-trip-${skip}`,
  version: 1,
  severity: 'medium',
  description: 'a trade, then the opposite trade on the same instrument within 60 s',
  key: byAccount,
  within: seconds(60),
  skip,
  pattern: (p) => p
    .begin('open', 'trade')
    .followedBy('close', 'trade', (e, m) => e.side !== m.open.side && e.instrument === m.open.instrument),
});

export const rules = [roundTrip('no-skip'), roundTrip('skip-past-last-event'), roundTrip('skip-overlapping')];

const S = 1000;
export const sample = [
  trade('b1', 1 * S, { side: 'BUY', instrument: 'X' }),
  trade('b2', 2 * S, { side: 'BUY', instrument: 'X' }),
  trade('b3', 3 * S, { side: 'BUY', instrument: 'Y' }),
  trade('s1', 4 * S, { side: 'SELL', instrument: 'X' }),
  trade('s2', 5 * S, { side: 'SELL', instrument: 'Y' }),
];
