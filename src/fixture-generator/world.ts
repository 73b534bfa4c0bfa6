// The simulated population: accounts with their habits (home country, IPs, 1–3 devices,
// payees, trading style) and listed instruments. Built once from the seed; read-only after.
import type { Prng } from './prng.ts';
import { accountId } from './ids.ts';

export interface Device {
  readonly id: string;
  readonly userAgent: string;
}

export interface Payee {
  readonly iban: string;
  readonly country: string;
}

export interface AccountProfile {
  readonly index: number;
  readonly id: string;
  readonly homeCountry: string;
  readonly currency: string;
  /** Home / mobile / office IPs; the first is the usual one. */
  readonly ips: readonly string[];
  readonly devices: readonly Device[];
  /** Relative activity (log-normal: a few very active accounts, a long quiet tail). */
  readonly weight: number;
  /** Chance a session during market hours trades. */
  readonly tradeProb: number;
  /** Chance a non-trading session moves money. */
  readonly transferProb: number;
  /** Typical trade notional in instrument currency. */
  readonly baseNotional: number;
  readonly outMedian: number;
  readonly inMedian: number;
  /** Indices into the instrument list this account trades. */
  readonly instruments: readonly number[];
  readonly payees: readonly Payee[];
  readonly employer: Payee;
}

export interface Instrument {
  readonly id: string;
  readonly currency: string;
  readonly venues: readonly string[];
  readonly price0: number;
  /** Per-minute log-return volatility while markets are open. */
  readonly sigma: number;
}

/** Home countries of account holders, with relative weights. */
const HOME_COUNTRIES: readonly (readonly [string, number])[] = [
  ['GB', 18], ['US', 20], ['DE', 12], ['FR', 10], ['NL', 5], ['CH', 4], ['ES', 5], ['IT', 5], ['SE', 3], ['IE', 3],
  ['SG', 4], ['HK', 3], ['JP', 3], ['AU', 3], ['CA', 2],
];

export const CURRENCY_OF: Readonly<Record<string, string>> = {
  GB: 'GBP', US: 'USD', CH: 'CHF', SE: 'SEK', NO: 'NOK', DK: 'DKK', PL: 'PLN', JP: 'JPY', SG: 'SGD', HK: 'HKD', AU: 'AUD',
  CA: 'CAD', AE: 'AED', BR: 'BRL', MX: 'MXN', NG: 'NGN', ZA: 'ZAR',
};
export const currencyOf = (country: string): string => CURRENCY_OF[country] ?? 'EUR';

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 15; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'CepheusBank/7.4.2 (iOS 18.1; iPhone15,2)',
  'CepheusBank/7.4.1 (Android 14; SM-S918B)',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
] as const;

const LISTINGS: readonly (readonly [string, string, readonly string[], number])[] = [
  ['US', 'USD', ['XNAS', 'XNYS'], 50], ['GB', 'GBP', ['XLON'], 20], ['DE', 'EUR', ['XETR'], 15], ['FR', 'EUR', ['XPAR'], 15],
];

function weighted<T>(rng: Prng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = rng.next() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return (items[items.length - 1] as readonly [T, number])[0];
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** An ISIN with a valid Luhn check digit over its letters-as-numbers expansion. */
export function isin(rng: Prng, country: string): string {
  let body = country;
  for (let i = 0; i < 9; i++) body += ALNUM[rng.int(i < 2 ? 10 : 36)];
  const digits = [...body].map((c) => (c >= '0' && c <= '9' ? c : String(c.charCodeAt(0) - 55))).join('');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** An IBAN-shaped account reference (country, check digits, 18 digits). */
export function iban(rng: Prng, country: string): string {
  let s = `${country}${rng.intIn(10, 99)}`;
  for (let i = 0; i < 18; i++) s += String(rng.int(10));
  return s;
}

const PUBLIC_FIRST_OCTETS = [31, 37, 46, 62, 77, 78, 80, 81, 82, 84, 86, 88, 89, 90, 91, 92, 94, 95, 109, 151, 176, 178, 188, 193, 195, 212, 213, 217] as const;

/** Hotel / roaming / airport addresses: a range no account or attacker IP comes from. Not
 *  tracked (memory stays flat); two travellers sharing one is harmless and realistic. */
export function roamingIp(rng: Prng): string {
  return `${rng.intIn(100, 126)}.${rng.int(256)}.${rng.int(256)}.${rng.intIn(1, 254)}`;
}

/** Hands out IPv4 addresses that no one else holds. */
export class IpPool {
  private readonly used = new Set<string>();
  private readonly rng: Prng;
  constructor(rng: Prng) {
    this.rng = rng;
  }
  next(firstOctets: readonly number[] = PUBLIC_FIRST_OCTETS): string {
    for (;;) {
      const ip = `${this.rng.pick(firstOctets)}.${this.rng.int(256)}.${this.rng.int(256)}.${this.rng.intIn(1, 254)}`;
      if (!this.used.has(ip)) {
        this.used.add(ip);
        return ip;
      }
    }
  }
}

export function newDevice(rng: Prng): Device {
  return { id: `dev-${rng.hex(16)}`, userAgent: rng.pick(USER_AGENTS) };
}

export function createInstruments(rng: Prng, n: number): Instrument[] {
  const seen = new Set<string>();
  const out: Instrument[] = [];
  while (out.length < n) {
    const [country, currency, venues] = weighted(rng, LISTINGS.map(([c, cur, v, w]) => [[c, cur, v] as const, w] as const));
    const id = isin(rng, country);
    if (seen.has(id)) continue;
    seen.add(id);
    const price0 = Math.round(Math.min(2000, Math.max(2, rng.logNormal(60, 1))) * 100) / 100;
    out.push({ id, currency, venues, price0, sigma: rng.range(0.01, 0.035) / Math.sqrt(14 * 60) });
  }
  return out;
}

export function homeCountry(rng: Prng): string {
  return weighted(rng, HOME_COUNTRIES);
}

/** A background account. `sharedIp` (an office / household address) is added when given. */
export function createAccount(rng: Prng, index: number, ips: IpPool, instruments: number, sharedIp: string | undefined): AccountProfile {
  const home = homeCountry(rng);
  const nDevices = rng.intIn(1, 3);
  const devices = Array.from({ length: nDevices }, () => newDevice(rng));
  const ownIps = Array.from({ length: rng.intIn(1, 3) }, () => ips.next());
  const nInstr = Math.min(instruments, rng.intIn(2, 8));
  const picks = new Set<number>();
  while (picks.size < nInstr) picks.add(rng.int(instruments));
  const payees = Array.from({ length: rng.intIn(1, 4) }, () => {
    const c = rng.chance(0.85) ? home : homeCountry(rng);
    return { iban: iban(rng, c), country: c };
  });
  return {
    index,
    id: accountId(index),
    homeCountry: home,
    currency: currencyOf(home),
    ips: sharedIp === undefined ? ownIps : [...ownIps, sharedIp],
    devices,
    weight: Math.min(25, rng.logNormal(1, 0.9)),
    tradeProb: rng.chance(0.25) ? rng.range(0.02, 0.15) : rng.range(0.4, 0.85),
    transferProb: rng.range(0.2, 0.6),
    baseNotional: Math.round(Math.min(60_000, Math.max(300, rng.logNormal(4_000, 0.9)))),
    outMedian: Math.round(rng.range(150, 1_500)),
    inMedian: Math.round(rng.range(800, 4_000)),
    instruments: [...picks].sort((a, b) => a - b),
    payees,
    employer: { iban: iban(rng, home), country: home },
  };
}
