// A few hand-written events covering every kind, every nullable field as null and as a value.
import type { AnyEvent } from '../../../src/events/types.ts';
import { eventTime } from '../../../src/events/time.ts';

const T0 = Date.parse('2026-01-05T09:30:00Z');

export const SAMPLE_EVENTS: readonly AnyEvent[] = [
  { kind: 'login', id: 'ev-1', ts: eventTime(T0), account: 'AC0000001', success: false, failureReason: 'BAD_PASSWORD', ip: '81.2.69.160', device: 'dev-aa', country: 'GB', userAgent: 'Mozilla/5.0' },
  { kind: 'login', id: 'ev-2', ts: eventTime(T0 + 20_000), account: 'AC0000001', success: true, failureReason: null, ip: '81.2.69.160', device: 'dev-aa', country: 'GB', userAgent: 'Mozilla/5.0' },
  { kind: 'order', id: 'ev-3', ts: eventTime(T0 + 60_000), account: 'AC0000001', orderId: 'ord-1', action: 'NEW', orderType: 'LIMIT', instrument: 'US0378331005', side: 'BUY', qty: 150, price: 187.25, filledQty: 0, currency: 'USD', venue: 'XNAS' },
  { kind: 'order', id: 'ev-4', ts: eventTime(T0 + 61_500), account: 'AC0000001', orderId: 'ord-1', action: 'FILL', orderType: 'LIMIT', instrument: 'US0378331005', side: 'BUY', qty: 150, price: 187.25, filledQty: 150, currency: 'USD', venue: 'XNAS' },
  { kind: 'trade', id: 'ev-5', ts: eventTime(T0 + 61_512), account: 'AC0000001', instrument: 'US0378331005', side: 'BUY', qty: 150, price: 187.25, notional: 28087.5, currency: 'USD', venue: 'XNAS', orderId: 'ord-1', counterpartyAccount: null },
  { kind: 'trade', id: 'ev-6', ts: eventTime(T0 + 62_000), account: 'AC0000002', instrument: 'US0378331005', side: 'SELL', qty: 150, price: 187.25, notional: 28087.5, currency: 'USD', venue: 'XNAS', orderId: null, counterpartyAccount: 'AC0000001' },
  { kind: 'transfer', id: 'ev-7', ts: eventTime(T0 + 3_600_000), account: 'AC0000001', direction: 'OUT', amount: 9450.1, currency: 'GBP', counterparty: 'GB29NWBK60161331926819', counterpartyCountry: 'GB', channel: 'WIRE', reference: null },
  { kind: 'transfer', id: 'ev-8', ts: eventTime(T0 + 3_700_000), account: 'AC0000001', direction: 'IN', amount: 2500, currency: 'GBP', counterparty: 'GB94BARC10201530093459', counterpartyCountry: 'GB', channel: 'SEPA', reference: 'Salary' },
];
