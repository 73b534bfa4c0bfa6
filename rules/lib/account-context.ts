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

/**
 * `list` with `value` last (moved there when present), at most MAX_REMEMBERED (the oldest
 * dropped). Unchanged lists are returned as they are; a changed one is a new array of exactly
 * its length: an idle account's context then holds no spare capacity (an array grown by push
 * keeps room for 17 entries).
 */
function remember(list: readonly string[], value: string): string[] {
  if (list[list.length - 1] === value) return list as string[];
  const at = list.indexOf(value);
  const others = at >= 0 ? list.length - 1 : list.length;
  let drop = Math.max(0, others + 1 - MAX_REMEMBERED);
  const out = new Array<string>(others - drop + 1);
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    if (i === at) continue;
    if (drop > 0) {
      drop--;
      continue;
    }
    out[n++] = list[i] as string;
  }
  out[n] = value;
  return out;
}

export const accountContext = defineContext<AccountContext>({
  id: 'account',
  initial: () => ({ knownDevices: [], countries: [], lastLoginTs: null, lastActivityTs: null, tradeCount: 0, ewmaNotional: 0 }),
  fold: {
    login: (c, e) => {
      if (e.success) {
        c.knownDevices = remember(c.knownDevices, e.device);
        c.countries = remember(c.countries, e.country);
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
