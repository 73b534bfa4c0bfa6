// The generator plants against SCENARIO_PARAMS; the bundled rules read rules/lib/params.ts and
// rules/lib/geo.ts, which re-export it today. Should either side ever declare its own numbers
// again, this keeps them in step.
import { describe, expect, it } from 'vitest';
import { continentOf as ruleContinentOf } from '../../../rules/lib/geo.ts';
import { PARAMS } from '../../../rules/lib/params.ts';
import { COUNTRY_CONTINENT, SCENARIO_PARAMS, continentOf } from '../../../src/fixture-generator/scenario-params.ts';

describe('SCENARIO_PARAMS', () => {
  it('matches every threshold the bundled rules use', () => {
    for (const [group, params] of Object.entries(PARAMS)) {
      const mine = (SCENARIO_PARAMS as Record<string, Record<string, number>>)[group];
      expect(mine, group).toBeDefined();
      for (const [name, value] of Object.entries(params)) expect([group, name, mine?.[name]]).toStrictEqual([group, name, value]);
    }
  });

  it('maps every country to the continent the travel rule uses', () => {
    for (const country of Object.keys(COUNTRY_CONTINENT)) expect([country, continentOf(country)]).toStrictEqual([country, ruleContinentOf(country)]);
    expect(continentOf('XX')).toBe('unknown');
  });
});
