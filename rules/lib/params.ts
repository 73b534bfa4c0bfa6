// Default thresholds of the bundled rules, in one place so fixtures plant scenarios with the
// same numbers the rules look for. Each rule documents its own.
import { days, hours, minutes, seconds } from 'cepheus';

export const PARAMS = {
  accountTakeover: { minFailures: 3, maxFailures: 20, minCashout: 10_000, within: minutes(30) },
  bruteForce: { minFailures: 8, window: minutes(10) },
  credentialStuffing: { minAccounts: 10, window: minutes(15) },
  impossibleTravel: { within: minutes(60) },
  largeTrade: { factor: 10, minHistory: 20 },
  tradeVelocity: { minTrades: 30, window: minutes(5) },
  spoofing: { minLargeOrders: 3, largeQty: 10_000, within: minutes(2) },
  washTrading: { within: seconds(5) },
  structuring: { low: 9_000, high: 10_000, minTransfers: 3, window: hours(24) },
  dormantDrain: { dormancy: days(30), minDrain: 20_000, within: hours(48), maxTransfers: 20 },
} as const;
