// The service's counters: monotone counts since the process started (outputs count once they
// are committed; a replay after a restore counts as recovered, its outputs as suppressed),
// and the signals /metrics reads from them at scrape time (see src/http/metrics.ts).
import type { KeySpaceSignal, Signals } from '../http/metrics.ts';
import type { RoundsOutput } from '../workers/rounds.ts';

export interface Counters {
  values: number;
  alerts: number;
  deadLetters: number;
  late: number;
  ruleErrors: number;
  overflowDropped: number;
  commits: number;
  checkpoints: number;
  /** Compressed size of the last checkpoint (a level, not a count). */
  checkpointBytes: number;
  restores: number;
  recoveredValues: number;
  suppressedOutputs: number;
  backpressurePauses: number;
  unmeasuredLatency: number;
  /** Rounds sent to the shards, and the values in them. */
  rounds: number;
  roundValues: number;
  /** Dead letters (and late events) written by reference, alerts written with fewer matched events: too big for their topics. */
  byReference: number;
  alertsTrimmed: number;
}

export const createCounters = (): Counters => ({
  values: 0, alerts: 0, deadLetters: 0, late: 0, ruleErrors: 0, overflowDropped: 0, commits: 0, checkpoints: 0, checkpointBytes: 0,
  restores: 0, recoveredValues: 0, suppressedOutputs: 0, backpressurePauses: 0, unmeasuredLatency: 0, rounds: 0, roundValues: 0, byReference: 0, alertsTrimmed: 0,
});

/** What one committed transaction carried. */
export interface Committed {
  readonly output: RoundsOutput;
  readonly deadLetters: number;
  readonly late: number;
  /** Dead letters by error code. */
  readonly codes: ReadonlyMap<string, number>;
  /** Compressed bytes of the checkpoint it carried, if it carried one. */
  readonly checkpointBytes: number | undefined;
  /** Dead letters and late events written by reference (too big for their topic). */
  readonly byReference: number;
  /** Alerts written with fewer matched events (too big for the alerts topic). */
  readonly trimmed: readonly { readonly id: string; readonly ruleId: string; readonly kept: number; readonly total: number }[];
}

export function countCommitted(c: Counters, byCode: Map<string, number>, x: Committed): void {
  c.commits++;
  c.deadLetters += x.deadLetters;
  c.late += x.late;
  for (const [code, n] of x.codes) byCode.set(code, (byCode.get(code) ?? 0) + n);
  c.alerts += x.output.alerts.length;
  c.values += x.output.values;
  c.ruleErrors += x.output.ruleErrors.length;
  c.overflowDropped += x.output.overflowDropped;
  c.byReference += x.byReference;
  c.alertsTrimmed += x.trimmed.length;
  if (x.checkpointBytes !== undefined) {
    c.checkpoints++;
    c.checkpointBytes = x.checkpointBytes;
  }
}

/** The outputs of a recovery's replay: already committed by the run that first read them. */
export function countRecovered(c: Counters, out: RoundsOutput): number {
  const suppressed = out.alerts.length + out.rejected.length + out.late.length;
  c.suppressedOutputs += suppressed;
  c.recoveredValues += out.values;
  return suppressed;
}

/** What /metrics exports of the service's health (health.ts). */
export interface HealthLevels {
  /** 1 while the broker counts as unreachable. */
  readonly brokerUnreachable: number;
  readonly commitFailuresInARow: number;
  /** Failed commits by cause (too-large, unreachable, other). */
  readonly commitFailures: ReadonlyMap<string, number>;
  readonly restoreFailures: number;
}

export interface Levels {
  readonly consumerLag: number;
  /** The shards' watermark (-Infinity before the first event: exported as 0). */
  readonly watermark: number;
  readonly shardBusyMs: readonly number[];
  readonly storeRecords: number;
  readonly health: HealthLevels;
  /** The key budget per key space, over all shards. */
  readonly keySpaces: readonly KeySpaceSignal[];
}

export function signalsOf(c: Counters, deadLetters: ReadonlyMap<string, number>, l: Levels): Signals {
  return {
    counters: {
      events: c.values, alerts: c.alerts, late: c.late, commits: c.commits, checkpoints: c.checkpoints, restores: c.restores,
      recoveredEvents: c.recoveredValues, suppressedOutputs: c.suppressedOutputs, backpressurePauses: c.backpressurePauses,
      rounds: c.rounds, roundEvents: c.roundValues, latencyUnmeasured: c.unmeasuredLatency, storeRecords: l.storeRecords,
      deadLettersByReference: c.byReference, alertsTrimmed: c.alertsTrimmed, restoreFailures: l.health.restoreFailures,
    },
    gauges: {
      consumerLag: l.consumerLag, watermark: Number.isFinite(l.watermark) ? l.watermark : 0, checkpointBytes: c.checkpointBytes,
      keys: l.keySpaces.reduce((n, s) => n + s.keys, 0), brokerUnreachable: l.health.brokerUnreachable, commitFailuresInARow: l.health.commitFailuresInARow,
    },
    deadLetters,
    commitFailures: l.health.commitFailures,
    shardBusyMs: l.shardBusyMs,
    keySpaces: l.keySpaces,
  };
}
