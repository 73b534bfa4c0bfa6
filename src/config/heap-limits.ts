// Heap limits chosen from the key budget. V8 lets an old generation grow to several times its
// live set before collecting when a program allocates fast and its collections are cheap (a
// key flood: 440-570 MiB live, 2.8 GiB RSS for `cepheus replay`), so the budget alone does not
// bound memory: each heap that holds engine state gets an old-generation limit of about twice
// the live state its budget allows, plus room for everything else.
//
//   heap holding engine state        limit (MiB)
//   replay process (main thread)     REPLAY_BASE_MB + keys           x BYTES_PER_KEY x HEADROOM
//   each shard thread of `run`       SHARD_BASE_MB  + keys / shards  x BYTES_PER_KEY x SHARD_HEADROOM
//   `run`'s main thread (no engine)  SERVICE_MAIN_MB
//
// The service's heaps also get a smaller young generation than V8 grows under a flood
// (SHARD_YOUNG_MB, SERVICE_MAIN_SEMI_SPACE_MB).
//
// `keys` is the budget of one key space (the largest of maxKeys and maxKeysBySpace); a key of
// the budget costs BYTES_PER_KEY with the bundled rules, whose two key spaces (account, ip)
// fill together. An unbounded budget gets V8's own default. An explicit limit (replay's
// --heap-limit-mb, engine.heapLimitMb, node's --max-old-space-size) wins.
import { totalmem } from 'node:os';

/**
 * Live heap per key of the budget with the bundled rules: 574 MiB after a full GC for
 * 968,640 keys (account and ip spaces) at a budget of 500,000 (docs/performance.md).
 */
export const BYTES_PER_KEY = 1200;
/** Old-generation limit over the live state: room to collect without thrashing. */
export const HEADROOM = 2;
/**
 * A shard's: a restore (start, rebalance, failure) holds a decoded snapshot and the state
 * rebuilt from it at once, and at twice its share a shard ran out during restores in the 2M-key
 * flood (docs/performance.md).
 */
export const SHARD_HEADROOM = 3;
/** Replay's heap beside the engine state: rules, the TypeScript compiler, the reader. */
export const REPLAY_BASE_MB = 256;
/** A shard thread's heap beside the engine state: rules, decoders, rounds in flight. */
export const SHARD_BASE_MB = 128;
/** `cepheus run`'s main thread: Kafka clients, the alert store's queries, the API, checkpoint assembly. */
export const SERVICE_MAIN_MB = 512;

/** The smallest limit accepted (V8 cannot run Cepheus in less). */
export const MIN_HEAP_MB = 64;
/** The largest limit accepted in the config (a typo guard: 1 TiB). */
export const MAX_HEAP_MB = 1_048_576;

/**
 * A shard thread's young generation (MiB; V8 splits it into three semi-spaces' worth): 16 MiB
 * semi-spaces, V8's old default. Left to itself V8 grows them to 64 MiB under a flood: 128 MiB
 * of new space per heap instead of 32 (measured in a worker: 466 vs 334 MiB of heap for the
 * same state), for garbage that dies young either way.
 */
export const SHARD_YOUNG_MB = 48;
/** `cepheus run`'s main thread: the same 16 MiB semi-spaces (node's --max-semi-space-size). */
export const SERVICE_MAIN_SEMI_SPACE_MB = 16;

/** `auto` (from the key budget) or a limit in MiB. */
export type HeapLimitSetting = 'auto' | number;

export interface KeyBudget {
  readonly maxKeys: number;
  readonly maxKeysBySpace?: Readonly<Record<string, number>>;
}

const MIB = 1024 * 1024;

/** The keys one key space may hold (Infinity: unbounded). */
export function budgetKeys(b: KeyBudget): number {
  return Math.max(b.maxKeys, ...Object.values(b.maxKeysBySpace ?? {}));
}

/** V8's default old-generation limit on 64-bit: a quarter of the memory, at most 4 GiB. */
export function v8DefaultMb(totalBytes: number = totalmem()): number {
  return Math.max(256, Math.min(4096, Math.floor(totalBytes / 4 / MIB)));
}

const stateMb = (keys: number, headroom = HEADROOM): number => Math.ceil((keys * BYTES_PER_KEY * headroom) / MIB);

/** The replay process's old-generation limit, or undefined for V8's default (an unbounded budget). */
export function replayHeapMb(b: KeyBudget, setting: HeapLimitSetting = 'auto'): number | undefined {
  if (setting !== 'auto') return setting;
  const keys = budgetKeys(b);
  return Number.isFinite(keys) ? REPLAY_BASE_MB + stateMb(keys) : undefined;
}

/** Each shard thread's old-generation limit: its share of the budget (whole key groups, so about keys / shards). */
export function shardHeapMb(b: KeyBudget, shards: number, setting: HeapLimitSetting = 'auto', totalBytes?: number): number {
  if (setting !== 'auto') return setting;
  const keys = budgetKeys(b);
  return Number.isFinite(keys) ? SHARD_BASE_MB + stateMb(Math.ceil(keys / Math.max(1, shards)), SHARD_HEADROOM) : v8DefaultMb(totalBytes);
}

/** Whether node was given an old-generation limit already (its own flags or NODE_OPTIONS). */
export function heapFlagGiven(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flag = /^--max[-_]old[-_]space[-_]size/;
  return execArgv.some((a) => flag.test(a)) || (nodeOptions ?? '').split(/\s+/).some((a) => flag.test(a));
}
