// Trade velocity: an account trading far more often than a person would.
import { sliding, threshold } from 'cepheus';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.tradeVelocity;

export default threshold({
  id: 'trade-velocity',
  version: 1,
  severity: 'medium',
  description: `>= ${P.minTrades} trades on one account within ${P.window / 60_000} min`,
  tags: ['market-abuse'],
  key: byAccount,
  on: 'trade',
  window: sliding(P.window),
  measures: (m) => ({ trades: m.count(), notional: m.sum((e) => e.notional), instruments: m.distinct((e) => e.instrument) }),
  when: (a) => a.trades >= P.minTrades,
  message: (a, _ctx, key) => `${key}: ${a.trades} trades on ${a.instruments} instrument(s), ${Math.round(a.notional)} notional within ${P.window / 60_000} min`,
});
