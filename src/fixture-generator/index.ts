// The fixture generator: seeded, deterministic, streaming finance events with planted,
// labelled scenarios (see docs/fixtures.md).
export { generate } from './generate.ts';
export type { Generation } from './generate.ts';
export { generateFile, labelsPathOf, labelsToJson } from './generate-file.ts';
export type { GeneratedFile, GenerateFileOptions } from './generate-file.ts';
export { DEFAULT_GEN_OPTIONS, resolveGenOptions } from './options.ts';
export type { GenOptions } from './options.ts';
export { LABELS_FORMAT } from './labels.ts';
export type { GenStats, Labels, ScenarioLabel } from './labels.ts';
export { COUNTRY_CONTINENT, CONTINENTS, SCENARIO_PARAMS, SCENARIO_RULE_IDS, continentOf, differentContinents } from './scenario-params.ts';
export type { Continent, ScenarioRuleId } from './scenario-params.ts';
export { SCENARIO_CATALOGUE } from './scenarios/scenario-plan.ts';
