// Default thresholds of the bundled rules: the same table the fixture generator plants
// scenarios and near misses with, so rules and fixtures cannot drift apart.
export { SCENARIO_PARAMS as PARAMS } from '../../src/fixture-generator/scenario-params.ts';
