// The library writes its defaults out (it imports only 'cepheus'); the fixture generator plants
// its scenarios against SCENARIO_PARAMS. Both tables and both continent maps must stay equal,
// or the bundled rules would stop detecting what the fixtures plant.
import { describe, expect, it } from 'vitest';
import { COUNTRY_CONTINENT as LIBRARY_CONTINENTS, DEFAULTS, EWMA_ALPHA } from '../../../rules/lib/index.ts';
import { COUNTRY_CONTINENT, SCENARIO_PARAMS } from '../../../src/fixture-generator/scenario-params.ts';

describe('the rule library defaults', () => {
  it('are the thresholds the fixture generator plants against, parameter by parameter', () => {
    const S = SCENARIO_PARAMS;
    const D = DEFAULTS;
    expect({
      accountTakeover: D.accountTakeover,
      bruteForce: { minFailures: D.bruteForce.minFailures, window: D.bruteForce.within },
      credentialStuffing: { minAccounts: D.credentialStuffing.minAccounts, window: D.credentialStuffing.within },
      impossibleTravel: D.impossibleTravel,
      largeTrade: { ...D.largeTrade, alpha: EWMA_ALPHA },
      tradeVelocity: { minTrades: D.tradeVelocity.minTrades, window: D.tradeVelocity.within },
      spoofing: D.spoofing,
      washTrading: D.washTrading,
      structuring: { low: D.structuring.threshold * (1 - D.structuring.band), high: D.structuring.threshold, minTransfers: D.structuring.minTransfers, window: D.structuring.within },
      dormantDrain: D.dormantDrain,
    }).toStrictEqual(S);
  });

  it('map every country to the continent the generator uses', () => {
    expect(LIBRARY_CONTINENTS).toStrictEqual(COUNTRY_CONTINENT);
  });
});
