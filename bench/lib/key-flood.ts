// A key explosion as data: N events, each for an account never seen before, 10 ms apart.
// Even events are logins (a distinct IP each, 5 % failed), odd ones transfers (2 % of them
// outbound in the structuring band, which keeps their key's window open for 24 h). Pure
// function of the index, so every run and every machine gets the same bytes.
import type { AnyEvent, EventTimeMs } from '../../src/events/types.ts';

/** 2026-01-05T00:00:00Z: a Monday, so nothing calendar-related differs between sizes. */
export const FLOOD_START = Date.UTC(2026, 0, 5);
export const FLOOD_STEP_MS = 10;
const COUNTRIES = ['GB', 'FR', 'DE', 'US', 'SG', 'BR', 'AU', 'ZA'] as const;

/** The i-th event of the flood (account `F<i>`, never repeated). */
export function floodEvent(i: number, prefix = 'F'): AnyEvent {
  const ts = (FLOOD_START + i * FLOOD_STEP_MS) as EventTimeMs;
  const account = `${prefix}${i}`;
  const id = `${prefix}e${i}`;
  if ((i & 1) === 0) {
    const n = i >> 1;
    const ok = n % 20 !== 0;
    return {
      kind: 'login', id, ts, account, success: ok, failureReason: ok ? null : 'BAD_PASSWORD',
      ip: `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`, device: `d${i}`, country: COUNTRIES[n % COUNTRIES.length] as string, userAgent: 'flood',
    };
  }
  const n = i >> 1;
  // 1 in 50 is OUT in [9000, 10000): structuring keeps such a key busy for 24 h.
  const amount = n % 50 === 0 ? 9000 + (n % 997) : 10 + ((n * 7919) % 8900);
  return {
    kind: 'transfer', id, ts, account, direction: n % 3 === 0 ? 'IN' : 'OUT', amount, currency: 'EUR',
    counterparty: `CP${n % 100_000}`, counterpartyCountry: 'GB', channel: 'SEPA', reference: null,
  };
}

/** Events [from, to) of the flood. */
export function* floodEvents(from: number, to: number, prefix = 'F'): Generator<AnyEvent> {
  for (let i = from; i < to; i++) yield floodEvent(i, prefix);
}
