// The pure core's public surface: the rule-authoring API, the engine and its data types.
export * from './rule-api.ts';
export type * from './rule-types.ts';
export { SEVERITIES, SKIP_STRATEGIES } from './rule-types.ts';
export { createEngine, Engine, DEFAULT_ENGINE_OPTIONS } from './engine/index.ts';
export type { EngineOptions, EngineSnapshot, EngineStats, KeySnapshot, RuleInfo, SpaceSnapshot } from './engine/index.ts';
export type { Alert, AlertId, MatchedEvent, MatchedStep } from './alert.ts';
export { alertId } from './alert.ts';
export type { Effect, EffectKind } from './effects.ts';
export { CepError, ERRORS } from './errors.ts';
export type { ErrorCode } from './errors.ts';
export type { JsonValue } from './json.ts';
export { toJson } from './json.ts';
export { validateRules, ruleProblems } from './validate.ts';
export { aggregate } from './threshold-operator.ts';
export { ms, seconds, minutes, hours, days, eventTime } from '../events/time.ts';
export type * from '../events/types.ts';
export { joinKey } from './join-key.ts';
