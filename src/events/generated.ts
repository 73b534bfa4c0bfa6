// GENERATED from schemas/*.avsc by `npm run gen:types`. Do not edit by hand:
// change the .avsc and regenerate; a unit test fails when this file drifts.

import type { EventTimeMs } from './time.ts';

/** A login attempt on an account, successful or not. */
export interface Login {
  readonly kind: 'login';
  /** Globally unique event id. */
  readonly id: string;
  /** Event time, ms since epoch. */
  readonly ts: EventTimeMs;
  readonly account: string;
  readonly success: boolean;
  readonly failureReason: null | 'BAD_PASSWORD' | 'BAD_MFA' | 'LOCKED' | 'UNKNOWN_USER';
  readonly ip: string;
  /** Device fingerprint id. */
  readonly device: string;
  /** ISO 3166-1 alpha-2 from IP geolocation. */
  readonly country: string;
  readonly userAgent: string;
}

/** An order lifecycle event: new, amend, cancel or fill. */
export interface Order {
  readonly kind: 'order';
  /** Globally unique event id. */
  readonly id: string;
  /** Event time, ms since epoch. */
  readonly ts: EventTimeMs;
  readonly account: string;
  readonly orderId: string;
  readonly action: 'NEW' | 'AMEND' | 'CANCEL' | 'FILL';
  readonly orderType: 'LIMIT' | 'MARKET';
  readonly instrument: string;
  readonly side: 'BUY' | 'SELL';
  /** Order quantity after this event. */
  readonly qty: number;
  /** Limit price (0 for market orders). */
  readonly price: number;
  /** Cumulative filled quantity. */
  readonly filledQty: number;
  readonly currency: string;
  readonly venue: string;
}

/** An executed trade (a fill booked to an account). */
export interface Trade {
  readonly kind: 'trade';
  /** Globally unique event id. */
  readonly id: string;
  /** Event time, ms since epoch. */
  readonly ts: EventTimeMs;
  readonly account: string;
  /** ISIN or ticker. */
  readonly instrument: string;
  readonly side: 'BUY' | 'SELL';
  readonly qty: number;
  readonly price: number;
  /** qty x price in currency. */
  readonly notional: number;
  /** ISO 4217. */
  readonly currency: string;
  /** MIC. */
  readonly venue: string;
  readonly orderId: null | string;
  /** Opposite account when known (internal crossing). */
  readonly counterpartyAccount: null | string;
}

/** A cash movement in or out of an account. */
export interface Transfer {
  readonly kind: 'transfer';
  /** Globally unique event id. */
  readonly id: string;
  /** Event time, ms since epoch. */
  readonly ts: EventTimeMs;
  readonly account: string;
  readonly direction: 'IN' | 'OUT';
  readonly amount: number;
  readonly currency: string;
  /** Beneficiary (OUT) or originator (IN) account / IBAN. */
  readonly counterparty: string;
  readonly counterpartyCountry: string;
  readonly channel: 'WIRE' | 'ACH' | 'SEPA' | 'CARD' | 'CRYPTO';
  readonly reference: null | string;
}

/** Every event kind and its type. */
export interface EventKinds {
  readonly login: Login;
  readonly order: Order;
  readonly trade: Trade;
  readonly transfer: Transfer;
}

export const EVENT_KINDS = ['login', 'order', 'trade', 'transfer'] as const;
