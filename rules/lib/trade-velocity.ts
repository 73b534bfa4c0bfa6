// Trade velocity: an account trading far more often than a person would.
import { sliding, threshold } from 'cepheus';
import type { DurationMs, ThresholdRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccount } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

export interface TradeVelocityParams extends RuleIdentity {
  /** Alert at this many trades in the window. @default 30 */
  readonly minTrades?: number;
  /** Sliding window length. @default minutes(5) */
  readonly within?: DurationMs;
}

/** `trade-velocity` (threshold, by account, medium): >= minTrades trades on one account within `within`. */
export function tradeVelocity(params: TradeVelocityParams = {}): ThresholdRule {
  const who = identity(params, 'trade-velocity', 'medium', ['market-abuse']);
  const minTrades = count(who.id, 'minTrades', params.minTrades ?? DEFAULTS.tradeVelocity.minTrades);
  const within = positive(who.id, 'within', params.within ?? DEFAULTS.tradeVelocity.within) as DurationMs;
  return built(threshold({
    ...who,
    description: `>= ${minTrades} trades on one account within ${within / 60_000} min`,
    key: byAccount,
    on: 'trade',
    window: sliding(within),
    measures: (m) => ({ trades: m.count(), notional: m.sum((e) => e.notional), instruments: m.distinct((e) => e.instrument) }),
    when: (a) => a.trades >= minTrades,
    message: (a, _ctx, key) => `${key}: ${a.trades} trades on ${a.instruments} instrument(s), ${Math.round(a.notional)} notional within ${within / 60_000} min`,
  }), 'tradeVelocity', params);
}
