// The default parameters of every rule in the library, written out here so the library stands
// alone (it imports only 'cepheus'). They are also the thresholds the fixture generator plants
// its scenarios against: test/unit/rules/library-defaults.test.ts keeps the two tables equal.
import { days, hours, minutes, seconds } from 'cepheus';

export const DEFAULTS = {
  accountTakeover: { minFailures: 3, maxFailures: 20, minCashout: 10_000, within: minutes(30) },
  bruteForce: { minFailures: 8, within: minutes(10) },
  credentialStuffing: { minAccounts: 10, within: minutes(15) },
  impossibleTravel: { within: minutes(60) },
  largeTrade: { factor: 10, minHistory: 20 },
  tradeVelocity: { minTrades: 30, within: minutes(5) },
  spoofing: { minLargeOrders: 3, largeQty: 10_000, within: minutes(2) },
  washTrading: { within: seconds(5) },
  structuring: { threshold: 10_000, band: 0.1, minTransfers: 3, within: hours(24) },
  dormantDrain: { dormancy: days(30), minDrain: 20_000, within: hours(48), maxTransfers: 20 },
} as const;

/** The parameters every factory takes besides its own: who the rule is. */
export interface RuleIdentity {
  /** Rule id: kebab-case, unique in the rule set, part of every alert id. Give each variant its own. */
  readonly id?: string;
  /** Bump when the rule's meaning changes (new thresholds under the same id): part of every alert id. @default 1 */
  readonly version?: number;
  /** @default the bundled rule's severity */
  readonly severity?: 'low' | 'medium' | 'high' | 'critical';
  /** @default the bundled rule's tags */
  readonly tags?: readonly string[];
}
