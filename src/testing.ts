// A small kit for testing rules, for us and for rule authors (`import ... from 'cepheus/testing'`):
// event builders with sensible defaults, and a runner that returns the alerts of a stream.
import type { Alert } from './core/alert.ts';
import type { Effect } from './core/effects.ts';
import { createEngine } from './core/engine/index.ts';
import type { EngineOptions } from './core/engine/index.ts';
import type { AnyRule } from './core/rule-types.ts';
import type { AnyEvent, Login, Order, Trade, Transfer } from './events/types.ts';
import type { EventTimeMs } from './events/time.ts';

type Fields<E> = Partial<Omit<E, 'kind' | 'id' | 'ts'>>;
const t = (ms: number): EventTimeMs => ms as EventTimeMs;

export function login(id: string, ts: number, over: Fields<Login> = {}): Login {
  return { kind: 'login', id, ts: t(ts), account: 'A1', success: true, failureReason: null, ip: '10.0.0.1', device: 'd1', country: 'GB', userAgent: 'ua', ...over };
}
export function transfer(id: string, ts: number, over: Fields<Transfer> = {}): Transfer {
  return { kind: 'transfer', id, ts: t(ts), account: 'A1', direction: 'OUT', amount: 100, currency: 'EUR', counterparty: 'X', counterpartyCountry: 'GB', channel: 'SEPA', reference: null, ...over };
}
export function trade(id: string, ts: number, over: Fields<Trade> = {}): Trade {
  return { kind: 'trade', id, ts: t(ts), account: 'A1', instrument: 'XS1', side: 'BUY', qty: 10, price: 100, notional: 1000, currency: 'EUR', venue: 'XLON', orderId: null, counterpartyAccount: null, ...over };
}
export function order(id: string, ts: number, over: Fields<Order> = {}): Order {
  return { kind: 'order', id, ts: t(ts), account: 'A1', orderId: 'o1', action: 'NEW', orderType: 'LIMIT', instrument: 'XS1', side: 'BUY', qty: 10, price: 100, filledQty: 0, currency: 'EUR', venue: 'XLON', ...over };
}

/** An alert reduced to what tests usually compare: rule, key, decision time, event ids per step. */
export interface AlertDigest {
  readonly rule: string;
  readonly key: string;
  readonly at: number;
  readonly steps: Record<string, string[]>;
}

export function summarize(alert: Alert): AlertDigest {
  return {
    rule: alert.ruleId, key: alert.key, at: alert.detectedAtEventTime,
    steps: Object.fromEntries(alert.matched.map((m) => [m.step, m.events.map((x) => x.event.id)])),
  };
}

export function alertsOf(effects: readonly Effect[]): AlertDigest[] {
  return effects.flatMap((f) => (f.kind === 'alert' ? [summarize(f.alert)] : []));
}

/** Runs rules over events (in the given order), flushes, and returns every effect. */
export function run(rules: readonly AnyRule[], events: readonly AnyEvent[], options: Partial<EngineOptions> = {}): { alerts: Alert[]; effects: Effect[] } {
  const engine = createEngine(rules, options);
  for (const e of events) engine.push(e);
  engine.flush();
  const effects = engine.drain();
  return { alerts: effects.flatMap((f) => (f.kind === 'alert' ? [f.alert] : [])), effects };
}
