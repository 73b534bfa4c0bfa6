// Spoofing / layering: large orders placed on one side, a trade executed on the other side,
// then the large orders cancelled, on one account and instrument within 2 minutes.
import { sequence, times } from 'cepheus';
import { byAccountInstrument } from './lib/keys.ts';
import { PARAMS } from './lib/params.ts';

const P = PARAMS.spoofing;

export default sequence({
  id: 'spoofing',
  version: 1,
  severity: 'high',
  description: `>= ${P.minLargeOrders} large orders (qty >= ${P.largeQty}) on one side, an opposite trade, then those orders cancelled`,
  tags: ['market-abuse', 'orders'],
  key: byAccountInstrument,
  within: P.within,
  skip: 'skip-past-last-event',
  pattern: (p) => p
    .begin('layer', 'order', (e) => e.action === 'NEW' && e.qty >= P.largeQty)
    .followedBy('more', 'order', (e, m) => e.action === 'NEW' && e.qty >= P.largeQty && e.side === m.layer.side, times(P.minLargeOrders - 1, 20))
    .followedBy('execution', 'trade', (e, m) => e.side !== m.layer.side)
    .followedBy('cancels', 'order', (e, m) =>
      e.action === 'CANCEL' && (e.orderId === m.layer.orderId || m.more.some((o) => o.orderId === e.orderId)), times(P.minLargeOrders)),
  message: (m, _ctx, key) =>
    `${key}: ${m.more.length + 1} large ${m.layer.side} orders, a ${m.execution.side} trade of ${m.execution.qty} @ ${m.execution.price}, then ${m.cancels.length} cancels`,
});
