// The account context: what we know about an account from everything it did, folded from
// every event of the account key space. Bounded: at most 8 devices and 8 countries kept.
import { defineContext } from 'cepheus';

export interface AccountContext {
  /** Devices of successful logins, most recent last. */
  knownDevices: string[];
  /** Countries of successful logins, most recent last. */
  countries: string[];
  lastLoginTs: number | null;
  /** Event time of the account's last event of any kind (for dormancy). */
  lastActivityTs: number | null;
  tradeCount: number;
  /** EWMA (alpha 0.1) of trade notional. */
  ewmaNotional: number;
}

/** Smoothing factor of `ewmaNotional`. */
export const EWMA_ALPHA = 0.1;
const MAX_REMEMBERED = 8;

function remember(list: string[], value: string): void {
  if (list[list.length - 1] === value) return;
  const i = list.indexOf(value);
  if (i >= 0) list.splice(i, 1);
  list.push(value);
  if (list.length > MAX_REMEMBERED) list.shift();
}

export const accountContext = defineContext<AccountContext>({
  id: 'account',
  initial: () => ({ knownDevices: [], countries: [], lastLoginTs: null, lastActivityTs: null, tradeCount: 0, ewmaNotional: 0 }),
  fold: {
    login: (c, e) => {
      if (e.success) {
        remember(c.knownDevices, e.device);
        remember(c.countries, e.country);
        c.lastLoginTs = e.ts;
      }
      c.lastActivityTs = e.ts;
      return c;
    },
    trade: (c, e) => {
      c.ewmaNotional = c.tradeCount === 0 ? e.notional : EWMA_ALPHA * e.notional + (1 - EWMA_ALPHA) * c.ewmaNotional;
      c.tradeCount++;
      c.lastActivityTs = e.ts;
      return c;
    },
    order: (c, e) => {
      c.lastActivityTs = e.ts;
      return c;
    },
    transfer: (c, e) => {
      c.lastActivityTs = e.ts;
      return c;
    },
  },
});
