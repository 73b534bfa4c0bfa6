// What rounds produce, collected in one place. A round's output is its ingest results (dead
// letters, late events, values read) followed by its deliver results (alerts, late events,
// rule errors, overflow), shard by shard in a fixed order; a take() appends whole rounds,
// oldest first. Lists are only ever appended to, in that order, so the output of the same
// input is the same list whatever the path (two-phase or one task per round).
import type { Alert } from '../core/alert.ts';
import type { LateRef, Rejected, RuleChangeSpec, RuleErrorRef } from './protocol.ts';

export interface RoundsOutput {
  alerts: Alert[];
  rejected: Rejected[];
  late: LateRef[];
  ruleErrors: RuleErrorRef[];
  overflowDropped: number;
  values: number;
  /** Rule changes the rounds carried, with their boundaries (the commit writes them to the control log). */
  ruleChanges?: RuleChangeSpec[];
  /** Alerts of candidates in shadow (absent: none). */
  shadowAlerts?: Alert[];
}

/** Anything that carries some of a round's output: an ingest result, a deliver result, another output. */
export interface OutputPart {
  readonly alerts?: readonly Alert[];
  readonly rejected?: readonly Rejected[];
  readonly late?: readonly LateRef[];
  readonly ruleErrors?: readonly RuleErrorRef[];
  readonly overflowDropped?: number;
  readonly values?: number;
  readonly ruleChanges?: readonly RuleChangeSpec[];
  readonly shadowAlerts?: readonly Alert[];
}

/** The outputs of the done rounds up to some round, and the tags of those rounds. */
export interface Taken<T> {
  readonly output: RoundsOutput;
  readonly tags: readonly T[];
  /** Id of the last round included (0: none). */
  readonly through: number;
}

/** A consistent cut: shard snapshots after round `through`, and the streams' time at that point. */
export interface Cut {
  readonly through: number;
  /** v8-serialized engine snapshots, one per shard (uncompressed). */
  readonly snapshots: Promise<Uint8Array[]>;
  readonly maxTs: readonly number[];
  readonly active: readonly boolean[];
  readonly watermark: number;
}

export const emptyOutput = (): RoundsOutput => ({ alerts: [], rejected: [], late: [], ruleErrors: [], overflowDropped: 0, values: 0 });

/** Appends `part` to `into` (lists in order, counts added). */
export function mergeOutput(into: RoundsOutput, part: OutputPart): void {
  if (part.alerts !== undefined) for (const x of part.alerts) into.alerts.push(x);
  if (part.rejected !== undefined) for (const x of part.rejected) into.rejected.push(x);
  if (part.late !== undefined) for (const x of part.late) into.late.push(x);
  if (part.ruleErrors !== undefined) for (const x of part.ruleErrors) into.ruleErrors.push(x);
  into.overflowDropped += part.overflowDropped ?? 0;
  into.values += part.values ?? 0;
  if (part.ruleChanges !== undefined && part.ruleChanges.length > 0) (into.ruleChanges ??= []).push(...part.ruleChanges);
  if (part.shadowAlerts !== undefined && part.shadowAlerts.length > 0) (into.shadowAlerts ??= []).push(...part.shadowAlerts);
}
