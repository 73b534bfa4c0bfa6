// The service's counters: monotone counts since the process started (outputs count once they
// are committed; a replay after a restore counts as recovered, its outputs as suppressed),
// and the signals /metrics reads from them at scrape time (see src/http/metrics.ts).
import type { Signals } from '../http/metrics.ts';
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
}

export const createCounters = (): Counters => ({
  values: 0, alerts: 0, deadLetters: 0, late: 0, ruleErrors: 0, overflowDropped: 0, commits: 0, checkpoints: 0, checkpointBytes: 0,
  restores: 0, recoveredValues: 0, suppressedOutputs: 0, backpressurePauses: 0, unmeasuredLatency: 0, rounds: 0, roundValues: 0,
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

export interface Levels {
  readonly consumerLag: number;
  /** The shards' watermark (-Infinity before the first event: exported as 0). */
  readonly watermark: number;
  readonly shardBusyMs: readonly number[];
  readonly storeRecords: number;
}

export function signalsOf(c: Counters, deadLetters: ReadonlyMap<string, number>, l: Levels): Signals {
  return {
    counters: {
      events: c.values, alerts: c.alerts, late: c.late, commits: c.commits, checkpoints: c.checkpoints, restores: c.restores,
      recoveredEvents: c.recoveredValues, suppressedOutputs: c.suppressedOutputs, backpressurePauses: c.backpressurePauses,
      rounds: c.rounds, roundEvents: c.roundValues, latencyUnmeasured: c.unmeasuredLatency, storeRecords: l.storeRecords,
    },
    gauges: { consumerLag: l.consumerLag, watermark: Number.isFinite(l.watermark) ? l.watermark : 0, checkpointBytes: c.checkpointBytes },
    deadLetters,
    shardBusyMs: l.shardBusyMs,
  };
}
