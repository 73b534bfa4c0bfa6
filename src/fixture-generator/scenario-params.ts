// The thresholds the bundled rules look for, and the numbers the generator plants scenarios
// and near misses with. One object so rules and fixtures cannot drift apart: a rule imports
// its defaults from here (or a test checks they match), the generator plants positives safely
// beyond each threshold and near misses just short of it, and keeps background activity
// well clear of every pattern.
import { days, hours, minutes, seconds } from '../events/time.ts';

export const SCENARIO_PARAMS = {
  /** ≥ minFailures failed logins, a success from a device never seen on the account, then an
   *  OUT transfer ≥ minCashout, all within `within`. Key: account. */
  accountTakeover: { minFailures: 3, maxFailures: 20, minCashout: 10_000, within: minutes(30) },
  /** ≥ minFailures failed logins on one account within `window`. Key: account. */
  bruteForce: { minFailures: 8, window: minutes(10) },
  /** Failed logins from one IP on ≥ minAccounts distinct accounts within `window`. Key: ip. */
  credentialStuffing: { minAccounts: 10, window: minutes(15) },
  /** Two successful logins from countries on different continents (COUNTRY_CONTINENT) within
   *  `within`. Key: account. */
  impossibleTravel: { within: minutes(60) },
  /** Trade notional > factor × the account's EWMA trade notional (alpha, first trade seeds
   *  it) after ≥ minHistory prior trades. Key: account. Rule id: large-trade. */
  largeTrade: { factor: 10, alpha: 0.1, minHistory: 20 },
  /** ≥ minTrades trades on one account within `window`. Key: account. */
  tradeVelocity: { minTrades: 30, window: minutes(5) },
  /** ≥ minLargeOrders NEW orders with qty ≥ largeQty on one side, a trade on the other side,
   *  then ≥ minLargeOrders CANCELs of those orders, within `within`. Key: `${account}|${instrument}`. */
  spoofing: { minLargeOrders: 3, largeQty: 10_000, within: minutes(2) },
  /** Opposite sides, same instrument, qty and price, two accounts naming each other in
   *  counterpartyAccount, within `within`. Key: instrument. */
  washTrading: { within: seconds(5) },
  /** ≥ minTransfers OUT transfers each in [low, high) within `window`. Key: account. */
  structuring: { low: 9_000, high: 10_000, minTransfers: 3, window: hours(24) },
  /** No activity for ≥ dormancy, a successful login, then OUT transfers totalling ≥ minDrain
   *  within `within` (at most maxTransfers of them). Key: account. */
  dormantDrain: { dormancy: days(30), minDrain: 20_000, within: hours(48), maxTransfers: 20 },
} as const;

/** Rule ids of the bundled rules, by parameter group. */
export const SCENARIO_RULE_IDS = {
  accountTakeover: 'account-takeover',
  bruteForce: 'brute-force',
  credentialStuffing: 'credential-stuffing',
  impossibleTravel: 'impossible-travel',
  largeTrade: 'large-trade',
  tradeVelocity: 'trade-velocity',
  spoofing: 'spoofing',
  washTrading: 'wash-trading',
  structuring: 'structuring',
  dormantDrain: 'dormant-drain',
} as const;
export type ScenarioRuleId = (typeof SCENARIO_RULE_IDS)[keyof typeof SCENARIO_RULE_IDS];

export const CONTINENTS = ['EU', 'NA', 'SA', 'AS', 'OC', 'AF'] as const;
export type Continent = (typeof CONTINENTS)[number];

/** ISO 3166-1 alpha-2 → continent, for travel rules. Every country the generator uses is here;
 *  a code not in the table is 'unknown' and never counts as a different continent. */
export const COUNTRY_CONTINENT: Readonly<Record<string, Continent>> = {
  GB: 'EU', IE: 'EU', FR: 'EU', DE: 'EU', NL: 'EU', BE: 'EU', LU: 'EU', ES: 'EU', PT: 'EU', IT: 'EU', CH: 'EU', AT: 'EU',
  SE: 'EU', NO: 'EU', DK: 'EU', FI: 'EU', PL: 'EU', CZ: 'EU', GR: 'EU', RO: 'EU', HU: 'EU', RU: 'EU',
  US: 'NA', CA: 'NA', MX: 'NA',
  BR: 'SA', AR: 'SA', CL: 'SA', CO: 'SA', PE: 'SA',
  CN: 'AS', JP: 'AS', KR: 'AS', IN: 'AS', SG: 'AS', HK: 'AS', TH: 'AS', VN: 'AS', ID: 'AS', MY: 'AS', PH: 'AS', AE: 'AS', SA: 'AS',
  TR: 'AS', IL: 'AS',
  AU: 'OC', NZ: 'OC',
  ZA: 'AF', NG: 'AF', KE: 'AF', EG: 'AF', MA: 'AF',
};

export function continentOf(country: string): Continent | 'unknown' {
  return COUNTRY_CONTINENT[country] ?? 'unknown';
}

export function differentContinents(a: string, b: string): boolean {
  const x = continentOf(a);
  const y = continentOf(b);
  return x !== 'unknown' && y !== 'unknown' && x !== y;
}
