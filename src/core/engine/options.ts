// Engine options: what each one bounds, the defaults, and the check that runs before
// anything is built (every invalid option is reported at once).
import { CepError } from '../errors.ts';
import type { Explained } from './compile.ts';
import { KEY_GROUPS } from '../order.ts';
import type { RuleProbe } from './probe.ts';
import type { AnyEvent } from '../../events/types.ts';

export interface EngineOptions {
  /** Watermark lag behind the largest event time seen (bounded out-of-orderness). */
  readonly outOfOrdernessMs: number;
  /** How far behind the watermark an event may be and still be processed. */
  readonly allowedLatenessMs: number;
  readonly maxPartialMatches: number;
  readonly maxWindowEvents: number;
  /** Keys with no event and no pending state for this long (event time) are evicted. */
  readonly idleKeyTtlMs: number;
  /** Event-time interval between sweeps of expired state. */
  readonly sweepIntervalMs: number;
  /**
   * Keys held per key space at most (Infinity: no bound), over all shards: split evenly over
   * the key groups, each shard holding its groups' share. A new key in a full group evicts a
   * batch of that group's least recently active keys, idle ones first (keys.ts), reported as
   * `evicted` effects.
   */
  readonly maxKeys: number;
  /** maxKeys for particular key spaces, by name (e.g. `{ ip: 200000 }`). */
  readonly maxKeysBySpace: Readonly<Record<string, number>>;
  /**
   * Key groups (order.ts): the unit of shard ownership and of the key budget. At least the
   * shard count; changing it reshuffles keys over shards and groups (a restore still works).
   */
  readonly keyGroups: number;
  /** Shard ownership: when set, keys it rejects are skipped (another shard owns them). */
  readonly owns: ((keySpace: string, key: string) => boolean) | undefined;
  /** Explain mode (see src/core/explain/): the rule whose decisions an observer hears. */
  readonly explain: Explained | undefined;
  /** Sampled per-rule evaluation timing (probe.ts); undefined: nothing is timed. */
  readonly probe: RuleProbe | undefined;
  /**
   * Restoring: also keep buffered events this predicate wants although no key of theirs is
   * owned under these rules (a rule change still pending will own them: rule-change.ts).
   */
  readonly keepBuffered: ((e: AnyEvent) => boolean) | undefined;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  outOfOrdernessMs: 0,
  allowedLatenessMs: 0,
  maxPartialMatches: 1000,
  maxWindowEvents: 10_000,
  idleKeyTtlMs: 45 * 86_400_000,
  sweepIntervalMs: 60_000,
  maxKeys: 500_000,
  maxKeysBySpace: {},
  keyGroups: KEY_GROUPS,
  owns: undefined,
  explain: undefined,
  probe: undefined,
  keepBuffered: undefined,
};

/** The options over the defaults; throws CepError listing every invalid one. */
export function engineOptions(options: Partial<EngineOptions>): EngineOptions {
  const o: EngineOptions = { ...DEFAULT_ENGINE_OPTIONS, ...options };
  checkOptions(o);
  return o;
}

function checkOptions(o: EngineOptions): void {
  const problems: string[] = [];
  const nonNeg = ['outOfOrdernessMs', 'allowedLatenessMs', 'idleKeyTtlMs'] as const;
  for (const k of nonNeg) if (!(Number.isFinite(o[k]) && o[k] >= 0)) problems.push(`${k} must be a number >= 0 (got ${o[k]})`);
  const pos = ['maxPartialMatches', 'maxWindowEvents', 'sweepIntervalMs'] as const;
  for (const k of pos) if (!(Number.isInteger(o[k]) && o[k] > 0)) problems.push(`${k} must be a whole number > 0 (got ${o[k]})`);
  if (!(Number.isInteger(o.keyGroups) && o.keyGroups >= 1 && o.keyGroups <= 65_536)) problems.push(`keyGroups must be a whole number from 1 to 65536 (got ${o.keyGroups})`);
  const budget = (name: string, v: unknown): void => {
    const groups = Number.isInteger(o.keyGroups) && o.keyGroups >= 1 ? o.keyGroups : KEY_GROUPS;
    if (!(v === Infinity || (Number.isInteger(v) && (v as number) >= groups))) {
      problems.push(`${name} must be a whole number >= keyGroups (${groups}: every key group needs room for a key), or Infinity for no bound (got ${String(v)})`);
    }
  };
  budget('maxKeys', o.maxKeys);
  if (typeof o.maxKeysBySpace !== 'object' || o.maxKeysBySpace === null) problems.push('maxKeysBySpace must map key space names to key counts');
  else for (const [name, v] of Object.entries(o.maxKeysBySpace)) budget(`maxKeysBySpace.${name}`, v);
  if (o.probe !== undefined && !(Number.isInteger(o.probe.every) && o.probe.every > 0)) problems.push(`probe.every must be a whole number > 0 (got ${o.probe.every})`);
  if (problems.length > 0) throw new CepError('CEP_ERR_ENGINE_OPTIONS', 'invalid engine options', problems);
}
