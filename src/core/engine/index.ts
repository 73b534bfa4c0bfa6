// The engine's public surface. Callers import from here, never from the files behind it.
export { createEngine, Engine } from './engine.ts';
export type { EngineStats, RuleInfo } from './inspect.ts';
export type { KeySpaceStats } from './keys.ts';
export { DEFAULT_ENGINE_OPTIONS } from './options.ts';
export type { EngineOptions } from './options.ts';
export type { EngineSnapshot, KeySnapshot, SpaceSnapshot } from './snapshot.ts';
export type { RuleProbe } from './probe.ts';
