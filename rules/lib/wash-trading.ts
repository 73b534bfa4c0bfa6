// Wash trading: two accounts trade opposite sides of one instrument at the same quantity and
// price within seconds, each naming the other as counterparty.
import { sequence } from 'cepheus';
import type { DurationMs, SequenceRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byInstrument } from './keys.ts';
import { built, identity, positive } from './params.ts';

export interface WashTradingParams extends RuleIdentity {
  /** Most time between the two legs. @default seconds(5) */
  readonly within?: DurationMs;
}

/** `wash-trading` (sequence, by instrument, high): a trade naming a counterparty → the mirror trade by that counterparty (other side, same qty and price), within `within`. */
export function washTrading(params: WashTradingParams = {}): SequenceRule {
  const who = identity(params, 'wash-trading', 'high', ['market-abuse']);
  const within = positive(who.id, 'within', params.within ?? DEFAULTS.washTrading.within) as DurationMs;
  return built(sequence({
    ...who,
    description: `opposite trades, same instrument, qty and price, between two accounts naming each other within ${within / 1000} s`,
    key: byInstrument,
    within,
    skip: 'skip-past-last-event',
    pattern: (p) => p
      .begin('leg1', 'trade', (e) => e.counterpartyAccount !== null && e.counterpartyAccount !== e.account)
      .followedBy('leg2', 'trade', (e, m) =>
        e.side !== m.leg1.side && e.qty === m.leg1.qty && e.price === m.leg1.price &&
        e.account === m.leg1.counterpartyAccount && e.counterpartyAccount === m.leg1.account),
    message: (m, _ctx, instrument) =>
      `${instrument}: ${m.leg1.account} ${m.leg1.side} and ${m.leg2.account} ${m.leg2.side} ${m.leg1.qty} @ ${m.leg1.price}, ${m.leg2.ts - m.leg1.ts} ms apart`,
  }), 'washTrading', params);
}
