// Guide example: absence. A large order NEW with no FILL or CANCEL of it within 10 minutes.
import { keyBy, minutes, order, sequence } from './kit.ts';

const byAccount = keyBy('account', { order: (e) => e.account });

export default sequence({
  id: 'stale-large-order',
  version: 1,
  severity: 'low',
  description: 'a large order neither filled nor cancelled within 10 minutes',
  key: byAccount,
  within: minutes(10),
  skip: 'no-skip',
  pattern: (p) => p
    .begin('placed', 'order', (e) => e.action === 'NEW' && e.qty >= 50_000)
    .notFollowedBy('closed', 'order', (e, m) => e.orderId === m.placed.orderId && (e.action === 'FILL' || e.action === 'CANCEL')),
  message: (m) => `order ${m.placed.orderId} for ${m.placed.qty} still open after 10 min`,
});

const M = 60_000;
export const sample = [
  order('n1', 0, { orderId: 'o1', qty: 80_000 }),
  order('n2', 1 * M, { orderId: 'o2', qty: 60_000 }),
  order('c2', 3 * M, { orderId: 'o2', action: 'CANCEL', qty: 60_000 }),
  order('n3', 20 * M, { orderId: 'o3', qty: 100 }),
];
