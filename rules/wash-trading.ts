// Wash trading: two accounts trade opposite sides of one instrument at the same quantity and
// price within seconds, each naming the other as counterparty.
import { sequence } from 'cepheus';
import { byInstrument } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.washTrading;

export default sequence({
  id: 'wash-trading',
  version: 1,
  severity: 'high',
  description: `opposite trades, same instrument, qty and price, between two accounts naming each other within ${P.within / 1000} s`,
  tags: ['market-abuse'],
  key: byInstrument,
  within: P.within,
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('leg1', 'trade', (e) => e.counterpartyAccount !== null && e.counterpartyAccount !== e.account)
    .followedBy('leg2', 'trade', (e, m) =>
      e.side !== m.leg1.side && e.qty === m.leg1.qty && e.price === m.leg1.price &&
      e.account === m.leg1.counterpartyAccount && e.counterpartyAccount === m.leg1.account),
  message: (m, _ctx, instrument) =>
    `${instrument}: ${m.leg1.account} ${m.leg1.side} and ${m.leg2.account} ${m.leg2.side} ${m.leg1.qty} @ ${m.leg1.price}, ${m.leg2.ts - m.leg1.ts} ms apart`,
});
