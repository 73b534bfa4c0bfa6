// A trade far larger than the account's own habit: notional above `factor` x the EWMA of its
// past trade notionals (account context), once there is enough history to judge.
import { ms, sequence } from 'cepheus';
import type { SequenceRule } from 'cepheus';
import { accountContext } from './account-context.ts';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccount } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

export interface LargeTradeParams extends RuleIdentity {
  /** Alert when a trade's notional exceeds this multiple of the account's EWMA notional
   *  (`accountContext.ewmaNotional`, alpha `EWMA_ALPHA` = 0.1). @default 10 */
  readonly factor?: number;
  /** Trades the account must have made before one is judged. @default 20 */
  readonly minHistory?: number;
}

/** `large-trade` (sequence, by account, medium): a trade with notional > factor × the account's EWMA notional after >= minHistory trades. */
export function largeTrade(params: LargeTradeParams = {}): SequenceRule {
  const who = identity(params, 'large-trade', 'medium', ['market-abuse', 'context']);
  const factor = positive(who.id, 'factor', params.factor ?? DEFAULTS.largeTrade.factor);
  const minHistory = count(who.id, 'minHistory', params.minHistory ?? DEFAULTS.largeTrade.minHistory, 0);
  return built(sequence({
    ...who,
    description: `trade notional > ${factor}x the account's EWMA trade notional (after >= ${minHistory} trades)`,
    key: byAccount,
    context: accountContext,
    within: ms(1),
    skip: 'skip-past-last-event',
    pattern: (p) => p.begin('trade', 'trade', (e, _m, ctx) => ctx.tradeCount >= minHistory && e.notional > factor * ctx.ewmaNotional),
    message: (m, ctx) =>
      `trade ${m.trade.id}: notional ${Math.round(m.trade.notional)} is ${(m.trade.notional / ctx.ewmaNotional).toFixed(1)}x the account's usual ${Math.round(ctx.ewmaNotional)}`,
  }), 'largeTrade', params);
}
