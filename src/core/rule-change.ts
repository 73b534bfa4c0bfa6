// A change of the rule set, scheduled at an event-time boundary `at` (null: from the start of
// time). Every shard applies it at the same point of the input: once its watermark reaches
// `at`, after every event and timer before `at` was processed under the old rules and before
// anything at or after `at` is, whatever the batching, the shard count or where a checkpoint
// cut the input (see ShardCore.advance). Changes apply in `seq` order (the control log's order).
import type { AnyRule } from './rule-types.ts';

export type RuleChange =
  /** Replace the rule set: rules with the same id and version keep their state (engine/snapshot.ts restore). */
  | { readonly kind: 'deploy'; readonly seq: number; readonly at: number | null; readonly rules: readonly AnyRule[] }
  | { readonly kind: 'switch'; readonly seq: number; readonly at: number | null; readonly ruleId: string; readonly enabled: boolean }
  /** Start `rule` (a candidate version) in shadow: its own engine, empty, fed every event from the boundary on. */
  | { readonly kind: 'shadow'; readonly seq: number; readonly at: number | null; readonly rule: AnyRule }
  /** The shadow of `ruleId` becomes its live version, with the shadow's state. */
  | { readonly kind: 'promote'; readonly seq: number; readonly at: number | null; readonly ruleId: string }
  /** The shadow of `ruleId` is dropped with its state. */
  | { readonly kind: 'discard'; readonly seq: number; readonly at: number | null; readonly ruleId: string };

/** The boundary as a number: null (from the start) is before every event time. */
export const boundaryOf = (c: Pick<RuleChange, 'at'>): number => c.at ?? -Infinity;
