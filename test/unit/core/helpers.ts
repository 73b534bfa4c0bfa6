// Test helpers: compact event builders with stable ids, and effect projections.
import type { Login, Order, Trade, Transfer } from '../../../src/events/types.ts';
import type { EventTimeMs } from '../../../src/events/time.ts';
import type { Effect } from '../../../src/core/effects.ts';

const t = (ms: number): EventTimeMs => ms as EventTimeMs;

export function login(id: string, ts: number, over: Partial<Omit<Login, 'kind' | 'id' | 'ts'>> = {}): Login {
  return { kind: 'login', id, ts: t(ts), account: 'A1', success: true, failureReason: null, ip: '10.0.0.1', device: 'd1', country: 'GB', userAgent: 'ua', ...over };
}
export function transfer(id: string, ts: number, over: Partial<Omit<Transfer, 'kind' | 'id' | 'ts'>> = {}): Transfer {
  return { kind: 'transfer', id, ts: t(ts), account: 'A1', direction: 'OUT', amount: 100, currency: 'EUR', counterparty: 'X', counterpartyCountry: 'GB', channel: 'SEPA', reference: null, ...over };
}
export function trade(id: string, ts: number, over: Partial<Omit<Trade, 'kind' | 'id' | 'ts'>> = {}): Trade {
  return { kind: 'trade', id, ts: t(ts), account: 'A1', instrument: 'XS1', side: 'BUY', qty: 10, price: 100, notional: 1000, currency: 'EUR', venue: 'XLON', orderId: null, counterpartyAccount: null, ...over };
}
export function order(id: string, ts: number, over: Partial<Omit<Order, 'kind' | 'id' | 'ts'>> = {}): Order {
  return { kind: 'order', id, ts: t(ts), account: 'A1', orderId: 'o1', action: 'NEW', orderType: 'LIMIT', instrument: 'XS1', side: 'BUY', qty: 10, price: 100, filledQty: 0, currency: 'EUR', venue: 'XLON', ...over };
}

/** Alerts as (rule, key, step -> event ids, detected-at) tuples: the whole output, compactly. */
export function alertsOf(effects: readonly Effect[]): { rule: string; key: string; at: number; steps: Record<string, string[]> }[] {
  return effects.flatMap((f) => f.kind === 'alert'
    ? [{ rule: f.alert.ruleId, key: f.alert.key, at: f.alert.detectedAtEventTime as number, steps: Object.fromEntries(f.alert.matched.map((m) => [m.step, m.events.map((x) => x.event.id)])) }]
    : []);
}
