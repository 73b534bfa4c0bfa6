// Continents by ISO 3166-1 alpha-2 country code, for travel rules (shared with the fixture
// generator). Unknown codes are 'unknown', which never counts as a different continent.
export { continentOf, differentContinents } from '../../src/fixture-generator/scenario-params.ts';
