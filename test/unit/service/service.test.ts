// service.ts (startService) cannot run without a broker: it checks the brokers over TCP before
// anything else and builds every client (admin, sink, source, registry, alert feed) itself,
// taking only a logger and an instance name. The integration suite starts it against Kafka
// (test/integration/service-*.test.ts). What it hands out is the pipeline facade, which holds
// the service's state union (service-state.ts); these are that facade's transitions that
// pipeline.test.ts does not walk, over the in-memory Kafka with no input, as timelines of modes:
// - a rebalance while live: restoring, then live on a new run; the old run retired;
// - a rebalance that takes every partition: restoring, then standby, holding no run;
// - a stop while a restore reads the checkpoint: stopping, stopped, and the restore that
//   finishes afterwards never takes the consumer;
// - once stopped, an assignment changes nothing and stopping again is harmless.
import { describe, expect, it } from 'vitest';
import { FakeKafka, settle } from './support/fake-kafka.ts';
import { GROUP, harness, msgs, tps } from './support/pipeline-harness.ts';
import type { Fixture } from './support/pipeline-harness.ts';

/** No input, no rules recorded in checkpoints: only the transitions matter here. */
const EMPTY: Fixture = { rules: [], replayIds: [], input: [] };
const consuming = 'no checkpoint: starting with empty state; consuming';
const [tp0] = tps as [(typeof tps)[number]];

describe('service facade (the pipeline a Service exposes): state transitions', () => {
  it('a rebalance while live restores on a new run and retires the old one', async () => {
    const h = harness(EMPTY, new FakeKafka());
    const modes = [h.p.mode];
    await h.source.assign(tps);
    modes.push(h.p.mode);
    const first = h.p.heldRun();
    const rebalance = h.source.assign([tp0]);
    modes.push(h.p.mode);
    await rebalance;
    modes.push(h.p.mode);
    const second = h.p.heldRun();
    expect({
      modes, firstRetired: first?.retired, secondRetired: second?.retired, replaced: second !== first, streams: second?.table.streams.map((s) => s.tp), consumer: h.source.calls, log: msgs(h),
    }).toEqual({
      modes: ['starting', 'live', 'restoring', 'live'], firstRetired: true, secondRetired: false, replaced: true, streams: [tp0],
      consumer: ['resume in/0', 'resume in/1', 'resume in/2', 'seek in/0 0', 'seek in/1 0', 'seek in/2 0', 'resume in/0', 'seek in/0 0'],
      log: [consuming, consuming],
    });
    await h.p.stop();
  });

  it('a rebalance that takes every partition stands by, holding no run', async () => {
    const h = harness(EMPTY, new FakeKafka());
    await h.source.assign(tps);
    const first = h.p.heldRun();
    const rebalance = h.source.assign([]);
    const modes = [h.p.mode];
    await rebalance;
    modes.push(h.p.mode);
    expect({ modes, retired: first?.retired, held: h.p.heldRun(), readiness: h.p.readiness(), log: msgs(h) }).toEqual({
      modes: ['restoring', 'standby'], retired: true, held: undefined,
      readiness: { ready: true, reasons: ['standby: another instance of the group holds the partitions'] },
      log: [consuming, 'standby: another instance of the group holds every partition'],
    });
    await h.p.stop();
  });

  it('a stop while the checkpoint is read: stopped, and the restore finishing later takes nothing', async () => {
    const k = new FakeKafka();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = harness(EMPTY, k, undefined, async () => {
      await gate;
      return k.readCheckpoint('state', GROUP);
    });
    const assigning = h.source.assign(tps);
    const modes = [h.p.mode];
    const stopping = h.p.stop();
    modes.push(h.p.mode);
    await stopping;
    modes.push(h.p.mode);
    release();
    await assigning;
    await settle();
    modes.push(h.p.mode);
    expect({ modes, held: h.p.heldRun(), readiness: h.p.readiness(), consumer: h.source.calls, log: msgs(h) }).toEqual({
      modes: ['restoring', 'stopping', 'stopped', 'stopped'], held: undefined, readiness: { ready: false, reasons: ['stopped'] }, consumer: [], log: [],
    });
  });

  it('once stopped, an assignment changes nothing and stopping again is harmless', async () => {
    const h = harness(EMPTY, new FakeKafka());
    await h.source.assign(tps);
    await h.p.stop();
    const calls = h.source.calls.length;
    await h.source.assign(tps);
    await h.p.stop();
    expect({ mode: h.p.mode, held: h.p.heldRun(), consumer: h.source.calls.slice(calls), log: msgs(h) }).toEqual({ mode: 'stopped', held: undefined, consumer: [], log: [consuming] });
  });
});
