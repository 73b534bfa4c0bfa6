// The stream table: positions as a run starts them, lag and pending counts, pause reasons
// (the consumer is told only on the first reason and when the last one goes), and a
// detached table that no longer reaches the consumer.
import { describe, expect, it } from 'vitest';
import type { InputMessage } from '../../../src/kafka/source.ts';
import { StreamTable, lagOf, pauseStep, pendingOf, startStream } from '../../../src/service/stream-table.ts';
import type { PauseReason } from '../../../src/service/stream-table.ts';

const msg = (offset: number): InputMessage => ({ offset, key: null, value: null, timestamp: 0 });

function recorder(): { calls: string[]; control: { pause: (tps: readonly { topic: string; partition: number }[]) => void; resume: (tps: readonly { topic: string; partition: number }[]) => void; seek: (tp: { topic: string; partition: number }, o: number) => void } } {
  const calls: string[] = [];
  const name = (tp: { topic: string; partition: number }): string => `${tp.topic}/${tp.partition}`;
  return {
    calls,
    control: {
      pause: (tps) => calls.push(...tps.map((tp) => `pause ${name(tp)}`)),
      resume: (tps) => calls.push(...tps.map((tp) => `resume ${name(tp)}`)),
      seek: (tp, o) => calls.push(`seek ${name(tp)} ${o}`),
    },
  };
}

describe('stream table', () => {
  it('starts a stream at its planned offset, everything before it in the restored state', () => {
    expect(startStream(2, { topic: 't', partition: 1 }, 'avro', 40, 55, 90, 1000)).toEqual({
      index: 2, tp: { topic: 't', partition: 1 }, format: 'avro', next: 40, dispatched: 40, committed: 55, committable: 40, highWatermark: 90, lastData: 1000, held: false, pending: [], pausedFor: new Set(),
    });
  });

  it('sums lag over streams that know their end, and pending records', () => {
    const a = { ...startStream(0, { topic: 't', partition: 0 }, 'confluent', 10, null, 25, 0), pending: [msg(10), msg(11)] };
    const b = startStream(1, { topic: 't', partition: 1 }, 'confluent', 30, null, 20, 0);
    const c = startStream(2, { topic: 't', partition: 2 }, 'confluent', 0, null, -1, 0);
    expect([lagOf([a, b, c]), pendingOf([a, b, c]), lagOf([]), pendingOf([])]).toEqual([15, 2, 0, 0]);
  });

  it('tells the consumer to pause on the first reason and to resume when the last one goes', () => {
    const steps: [PauseReason, boolean][] = [['backpressure', true], ['stopping', true], ['backpressure', true], ['backpressure', false], ['recovery', false], ['stopping', false]];
    let reasons: ReadonlySet<PauseReason> = new Set();
    const out = steps.map(([why, on]) => {
      const r = pauseStep(reasons, why, on);
      reasons = r.reasons;
      return [[...r.reasons], r.tell];
    });
    expect(out).toEqual([
      [['backpressure'], 'pause'],
      [['backpressure', 'stopping'], null],
      [['backpressure', 'stopping'], null],
      [['stopping'], null],
      [['stopping'], null],
      [[], 'resume'],
    ]);
  });

  it('opens the consumer at the starts, pauses per reason, and reaches it no more once detached', () => {
    const { calls, control } = recorder();
    const streams = [0, 1].map((p) => startStream(p, { topic: 't', partition: p }, 'confluent', 5 * p, null, 10, 0));
    const table = new StreamTable(streams, control);
    table.open();
    table.pauseAll('stopping');
    table.pauseAll('backpressure');
    table.resumeAll('backpressure');
    table.resume(streams[1] as (typeof streams)[number], 'stopping');
    expect(table.of({ topic: 't', partition: 1 })).toBe(streams[1]);
    expect(table.of({ topic: 't', partition: 7 })).toBeUndefined();
    table.detach();
    table.pauseAll('recovery');
    table.resumeAll('stopping');
    expect({ calls, reasons: streams.map((s) => [...s.pausedFor]) }).toEqual({
      calls: ['resume t/0', 'resume t/1', 'seek t/0 0', 'seek t/1 5', 'pause t/0', 'pause t/1', 'resume t/1'],
      reasons: [['recovery'], ['recovery']],
    });
  });
});
