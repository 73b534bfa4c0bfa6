// Alert latency on given clocks: per rule from the completing record's arrival (or, for an
// alert a timer raised or a record already out of the arrival ring, from its round's
// dispatch, the latter counted as unmeasured); end to end from the completing record's Kafka
// timestamp to the commit, only for alerts measured on a record, and not after a reset.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { LatencyRecorder } from '../../../src/metrics/latency.ts';
import { AlertLatency } from '../../../src/service/alert-latency.ts';
import { ArrivalLog } from '../../../src/service/arrivals.ts';

/** An alert of `rule` over events at (ts, offset) of partition 0, decided at event time `detectedAt`. */
const alert = (id: string, rule: string, events: readonly (readonly [number, number])[], detectedAt: number): Alert => ({
  id, ruleId: rule, detectedAtEventTime: detectedAt,
  matched: [{ step: 's', events: events.map(([ts, offset]) => ({ event: { id: `e${offset}`, ts }, source: { topic: 't', partition: 0, offset: String(offset) } })) }],
}) as unknown as Alert;

const none = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
const one = (v: number) => ({ count: 1, p50: v, p90: v, p99: v, p999: v, max: v });

function setup() {
  const latency = new LatencyRecorder();
  const arrivals = new ArrivalLog(2);
  // records 10, 11 of stream 0 arrived at 100 ms (Kafka timestamps 5000, 5001), record 12 at 101 ms
  arrivals.add(0, 100, new Float64Array([10, 11]), new Float64Array([5000, 5001]));
  arrivals.add(0, 101, new Float64Array([12]), new Float64Array([5002]));
  const al = new AlertLatency(latency, arrivals, (s) => (s.topic === 't' ? s.partition : undefined));
  return { latency, arrivals, al };
}

describe('alert latency', () => {
  it('measures an alert fired on a record from its arrival, and end to end once committed', () => {
    const { latency, al } = setup();
    const a = alert('a1', 'r', [[1000, 10], [1500, 11]], 1500);
    al.emitted([a], 99, 101.5); // the completing record (offset 11) arrived at 100
    al.committed([a], 5003); // produced at 5001
    al.committed([a], 9000); // committed once only
    expect({ rule: latency.rule('r'), e2e: latency.endToEnd.summary(), unmeasured: al.unmeasured }).toEqual({ rule: one(1500), e2e: one(2000), unmeasured: 0 });
  });

  it('measures an alert a timer raised from its round, with no end to end', () => {
    const { latency, al } = setup();
    const a = alert('a2', 'timer', [[1000, 10]], 9000);
    al.emitted([a], 99, 100.25);
    al.committed([a], 99_999);
    expect({ rule: latency.rule('timer'), e2e: latency.endToEnd.summary(), unmeasured: al.unmeasured }).toEqual({ rule: one(1250), e2e: none, unmeasured: 0 });
  });

  it('counts an alert whose record left the arrival ring as unmeasured, and forgets alerts on reset', () => {
    const { latency, arrivals, al } = setup();
    arrivals.add(0, 102, new Float64Array([13]), new Float64Array([5003])); // the ring keeps 2 runs: 10, 11 are gone
    const gone = alert('a3', 'r', [[1500, 11]], 1500);
    const kept = alert('a4', 'q', [[1600, 13]], 1600);
    al.emitted([gone, kept], 100.5, 102.5);
    al.reset();
    al.committed([gone, kept], 9000);
    expect({ r: latency.rule('r'), q: latency.rule('q'), e2e: latency.endToEnd.summary(), unmeasured: al.unmeasured }).toEqual({ r: one(2000), q: one(500), e2e: none, unmeasured: 1 });
  });
});
