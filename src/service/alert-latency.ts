// Latency of each alert, recorded into the HDR histograms of the API:
// - per rule: from when the alert's completing record reached the service (the latest
//   matched event, when the alert fired on it) to the alert coming back from the shards;
//   for an alert a timer raised, from the round that moved time past its deadline;
// - end to end, once committed: from the completing record's Kafka timestamp to the commit.
// And what each deliver result brings: the batch time and the sampled per-rule evaluation times.
import type { Alert } from '../core/alert.ts';
import type { SourceRef } from '../events/types.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import { recordEvaluations } from '../metrics/rule-timer.ts';
import type { DeliverResult } from '../workers/protocol.ts';
import type { ArrivalLog } from './arrivals.ts';

/** A shard's deliver result: its duration, and its sampled evaluations (rules in the shards' order, which is `rules`'). */
export function recordDelivered(latency: LatencyRecorder, ruleIds: readonly string[], r: DeliverResult): void {
  latency.recordBatch(r.micros);
  if (r.evaluations.length > 0) recordEvaluations(latency, ruleIds, r.evaluations);
}

export class AlertLatency {
  private readonly latency: LatencyRecorder;
  private readonly arrivals: ArrivalLog;
  private readonly streamOf: (s: SourceRef) => number | undefined;
  /** Kafka timestamp of each emitted alert's completing record, until its commit. */
  private readonly producedAt = new Map<string, number>();
  /** Alerts that fired on a record already out of the arrival ring (not measured). */
  unmeasured = 0;

  constructor(latency: LatencyRecorder, arrivals: ArrivalLog, streamOf: (s: SourceRef) => number | undefined) {
    this.latency = latency;
    this.arrivals = arrivals;
    this.streamOf = streamOf;
  }

  /** Alerts back from the shards, of a round dispatched at `submittedAt` (performance ms). */
  emitted(alerts: readonly Alert[], submittedAt: number, now = performance.now()): void {
    for (const a of alerts) {
      let last: { ts: number; stream: number; offset: number } | undefined;
      for (const st of a.matched) {
        for (const m of st.events) {
          if (m.source === null || (last !== undefined && m.event.ts <= last.ts)) continue;
          const stream = this.streamOf(m.source);
          if (stream !== undefined) last = { ts: m.event.ts, stream, offset: Number(m.source.offset) };
        }
      }
      const onRecord = last !== undefined && last.ts === a.detectedAtEventTime;
      const arrival = onRecord && last !== undefined ? this.arrivals.find(last.stream, last.offset) : undefined;
      if (onRecord && arrival === undefined) this.unmeasured++;
      this.latency.recordRule(a.ruleId, (now - (arrival?.at ?? submittedAt)) * 1000);
      if (arrival !== undefined) this.producedAt.set(a.id, arrival.timestamp);
    }
  }

  /** Alerts whose transaction committed at `wall` (ms since epoch). */
  committed(alerts: readonly Alert[], wall = Date.now()): void {
    for (const a of alerts) {
      const ts = this.producedAt.get(a.id);
      this.producedAt.delete(a.id);
      if (ts !== undefined) this.latency.recordEndToEnd((wall - ts) * 1000);
    }
  }

  /** Forgets alerts that will never commit (the pipeline restarted from a checkpoint). */
  reset(): void {
    this.producedAt.clear();
  }
}
