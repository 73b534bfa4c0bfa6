// Spoofing / layering: large orders placed on one side, a trade executed on the other side,
// then the large orders cancelled, on one account and instrument within minutes.
import { sequence, times } from 'cepheus';
import type { DurationMs, SequenceRule } from 'cepheus';
import { DEFAULTS } from './defaults.ts';
import type { RuleIdentity } from './defaults.ts';
import { byAccountInstrument } from './keys.ts';
import { built, count, identity, positive } from './params.ts';

/** Most large orders one match holds (bounds the state). */
const MAX_LARGE_ORDERS = 21;

export interface SpoofingParams extends RuleIdentity {
  /** Large orders on one side before the opposite trade, and cancels of them after it. @default 3 */
  readonly minLargeOrders?: number;
  /** Smallest order quantity that counts as large. @default 10_000 */
  readonly largeQty?: number;
  /** From the first large order to the last cancel. @default minutes(2) */
  readonly within?: DurationMs;
}

/** `spoofing` (sequence, by account and instrument, high): >= minLargeOrders NEW orders (qty >= largeQty) on one side → a trade on the other side → minLargeOrders CANCELs of them, within `within`. */
export function spoofing(params: SpoofingParams = {}): SequenceRule {
  const D = DEFAULTS.spoofing;
  const who = identity(params, 'spoofing', 'high', ['market-abuse', 'orders']);
  const minLargeOrders = count(who.id, 'minLargeOrders', params.minLargeOrders ?? D.minLargeOrders, 2);
  const largeQty = positive(who.id, 'largeQty', params.largeQty ?? D.largeQty);
  return built(sequence({
    ...who,
    description: `>= ${minLargeOrders} large orders (qty >= ${largeQty}) on one side, an opposite trade, then those orders cancelled`,
    key: byAccountInstrument,
    within: positive(who.id, 'within', params.within ?? D.within) as DurationMs,
    skip: 'skip-past-last-event',
    pattern: (p) => p
      .begin('layer', 'order', (e) => e.action === 'NEW' && e.qty >= largeQty)
      .followedBy('more', 'order', (e, m) => e.action === 'NEW' && e.qty >= largeQty && e.side === m.layer.side, times(minLargeOrders - 1, Math.max(minLargeOrders, MAX_LARGE_ORDERS) - 1))
      .followedBy('execution', 'trade', (e, m) => e.side !== m.layer.side)
      .followedBy('cancels', 'order', (e, m) =>
        e.action === 'CANCEL' && (e.orderId === m.layer.orderId || m.more.some((o) => o.orderId === e.orderId)), times(minLargeOrders)),
    message: (m, _ctx, key) =>
      `${key}: ${m.more.length + 1} large ${m.layer.side} orders, a ${m.execution.side} trade of ${m.execution.qty} @ ${m.execution.price}, then ${m.cancels.length} cancels`,
  }), 'spoofing', params);
}
