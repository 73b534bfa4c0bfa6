// Event constructors for the generator: every event is a plain object with `kind` first and
// the schema's fields in schema order, so all events of a kind share one shape.
import type { Login, Order, Trade, Transfer } from '../events/types.ts';
import { eventTime } from '../events/time.ts';

export const round2 = (x: number): number => Math.round(x * 100) / 100;

export function login(id: string, ts: number, account: string, success: boolean, failureReason: Login['failureReason'],
  ip: string, device: string, country: string, userAgent: string): Login {
  return { kind: 'login', id, ts: eventTime(ts), account, success, failureReason, ip, device, country, userAgent };
}

export function order(id: string, ts: number, account: string, orderId: string, action: Order['action'], orderType: Order['orderType'],
  instrument: string, side: Order['side'], qty: number, price: number, filledQty: number, currency: string, venue: string): Order {
  return { kind: 'order', id, ts: eventTime(ts), account, orderId, action, orderType, instrument, side, qty, price, filledQty, currency, venue };
}

export function trade(id: string, ts: number, account: string, instrument: string, side: Trade['side'], qty: number, price: number,
  currency: string, venue: string, orderId: string | null, counterpartyAccount: string | null): Trade {
  return { kind: 'trade', id, ts: eventTime(ts), account, instrument, side, qty, price, notional: round2(qty * price), currency, venue, orderId, counterpartyAccount };
}

export function transfer(id: string, ts: number, account: string, direction: Transfer['direction'], amount: number, currency: string,
  counterparty: string, counterpartyCountry: string, channel: Transfer['channel'], reference: string | null): Transfer {
  return { kind: 'transfer', id, ts: eventTime(ts), account, direction, amount, currency, counterparty, counterpartyCountry, channel, reference };
}
