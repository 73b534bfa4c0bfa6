// A trade far larger than the account's own habit: notional above `factor` x the EWMA of
// its past trade notionals (account context), once there is enough history to judge.
import { ms, sequence } from 'cepheus';
import { accountContext } from './lib/account-context.ts';
import { byAccount } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.largeTrade;

export default sequence({
  id: 'large-trade',
  version: 1,
  severity: 'medium',
  description: `trade notional > ${P.factor}x the account's EWMA trade notional (after >= ${P.minHistory} trades)`,
  tags: ['market-abuse', 'context'],
  key: byAccount,
  context: accountContext,
  within: ms(1),
  skip: 'skip-past-last-event',
  pattern: (p) => p.begin('trade', 'trade', (e, _m, ctx) => ctx.tradeCount >= P.minHistory && e.notional > P.factor * ctx.ewmaNotional),
  message: (m, ctx) =>
    `trade ${m.trade.id}: notional ${Math.round(m.trade.notional)} is ${(m.trade.notional / ctx.ewmaNotional).toFixed(1)}x the account's usual ${Math.round(ctx.ewmaNotional)}`,
});
