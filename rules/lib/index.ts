// The rule library (`import { structuring, byAccount } from 'cepheus/rules'`): every bundled
// rule as a factory with typed, documented parameters whose defaults reproduce the bundled
// rule exactly, and the key spaces, context, continent table and defaults they share. Rules
// that share a key space object share its contexts, so build your own rules on these too.
export { accountTakeover } from './account-takeover.ts';
export type { AccountTakeoverParams } from './account-takeover.ts';
export { bruteForce } from './brute-force.ts';
export type { BruteForceParams } from './brute-force.ts';
export { credentialStuffing } from './credential-stuffing.ts';
export type { CredentialStuffingParams } from './credential-stuffing.ts';
export { dormantDrain } from './dormant-drain.ts';
export type { DormantDrainParams } from './dormant-drain.ts';
export { impossibleTravel } from './impossible-travel.ts';
export type { ImpossibleTravelParams } from './impossible-travel.ts';
export { largeTrade } from './large-trade.ts';
export type { LargeTradeParams } from './large-trade.ts';
export { spoofing } from './spoofing.ts';
export type { SpoofingParams } from './spoofing.ts';
export { structuring } from './structuring.ts';
export type { StructuringParams } from './structuring.ts';
export { tradeVelocity } from './trade-velocity.ts';
export type { TradeVelocityParams } from './trade-velocity.ts';
export { washTrading } from './wash-trading.ts';
export type { WashTradingParams } from './wash-trading.ts';

export { byAccount, byAccountInstrument, byInstrument, byIp } from './keys.ts';
export { accountContext, EWMA_ALPHA } from './account-context.ts';
export type { AccountContext } from './account-context.ts';
export { COUNTRY_CONTINENT, CONTINENTS, continentOf, differentContinents } from './geo.ts';
export type { Continent } from './geo.ts';
export { DEFAULTS } from './defaults.ts';
export type { RuleIdentity } from './defaults.ts';
