// Input: batches into a run's streams, with everything the run is told recorded as one
// timeline (consumer pauses and resumes, dispatches, schema sends, transitions). The run is a
// fake around a real stream table (its dispatch takes the pending records as a real one does),
// so these assert what takeBatch decides, not what the shards do:
// - live: duplicates dropped, the rest pending, a dispatch soon, at once when a round is full;
// - nothing for a partition the run does not hold, nothing without a run, a batch fetched
//   while restoring waits for the restore and is dropped (the restore seeks);
// - writer schemas resolved and sent before the records; a run retired meanwhile gets nothing;
// - recovering: records past the committed offset held, a stream that reached it paused, and
//   the last one finishing the recovery once: replayed outputs dropped, held records released,
//   live; failing last rounds restart the run instead, a rebalance meanwhile leaves it alone.
import { describe, expect, it } from 'vitest';
import type { InputBatch, InputMessage } from '../../../src/kafka/source.ts';
import { createCounters } from '../../../src/service/counters.ts';
import { takeRound } from '../../../src/service/dispatch.ts';
import { takeBatch } from '../../../src/service/input.ts';
import type { InputHost } from '../../../src/service/input.ts';
import { RecoveryHold } from '../../../src/service/intake.ts';
import type { Run } from '../../../src/service/run.ts';
import type { ServiceState } from '../../../src/service/service-state.ts';
import { StreamTable, startStream } from '../../../src/service/stream-table.ts';
import type { Stream } from '../../../src/service/stream-table.ts';
import type { SchemaSpec } from '../../../src/workers/protocol.ts';
import { emptyOutput } from '../../../src/workers/round-output.ts';
import type { RoundsOutput } from '../../../src/workers/round-output.ts';
import { capturingLog } from './support/fake-kafka.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const TPS = [{ topic: 'in', partition: 0 }, { topic: 'in', partition: 1 }];
const framed = (schemaId: number): Buffer => Buffer.from([0, 0, 0, 0, schemaId, 7]);
const msg = (offset: number, schemaId = 1): InputMessage => ({ offset, key: null, value: framed(schemaId), timestamp: T0 });
const batch = (partition: number, offsets: readonly number[], highWatermark = 10, schemaId = 1): InputBatch =>
  ({ topic: 'in', partition, highWatermark, messages: offsets.map((o) => msg(o, schemaId)) });

interface Fake {
  readonly run: Run;
  readonly streams: readonly Stream[];
  /** What the next take() returns (the replayed rounds' output). */
  output: RoundsOutput;
  /** What the next barrier() waits for. */
  barrier: Promise<void>;
}

/** A run over partitions in/0 and in/1 whose parts record what they are told in `calls`. */
function fakeRun(calls: string[], format: 'confluent' | 'avro' = 'confluent'): Fake {
  const name = (tp: { topic: string; partition: number }): string => `${tp.topic}/${tp.partition}`;
  const streams = TPS.map((tp, i) => startStream(i, tp, format, 0, null, 0, T0));
  const table = new StreamTable(streams, {
    pause: (tps) => calls.push(...tps.map((tp) => `pause ${name(tp)}`)),
    resume: (tps) => calls.push(...tps.map((tp) => `resume ${name(tp)}`)),
    seek: (tp, o) => calls.push(`seek ${name(tp)} ${o}`),
  });
  const fake: Omit<Fake, 'run'> = { streams, output: emptyOutput(), barrier: Promise.resolve() };
  const run = {
    table,
    dispatcher: {
      dispatch: async () => {
        const round = takeRound(streams);
        calls.push(`dispatch ${round.parts.map((p) => `${p.stream}:${[...p.offsets].join(',')}`).join(' ')}`);
      },
      schedule: () => calls.push('schedule'),
    },
    rounds: {
      addSchemas: (specs: readonly SchemaSpec[]) => calls.push(`schemas ${specs.map((s) => s.id).join(',')}`),
      barrier: () => {
        calls.push('barrier');
        return fake.barrier;
      },
      take: () => {
        calls.push('take');
        return { output: fake.output, tags: [], through: 0 };
      },
    },
  };
  // Only what input reaches of a run.
  return Object.assign(fake, { run: run as unknown as Run });
}

/** A host whose state the test sets; transitions, restarts and going live are recorded in `calls`. */
function host(calls: string[], state: ServiceState, o: { roundMaxValues?: number; resolver?: InputHost['resolver'] } = {}) {
  const { log, lines } = capturingLog();
  const clock = { now: T0 };
  const current = { state };
  const h: InputHost = {
    state: () => current.state,
    enter: (next) => {
      calls.push(`enter ${next.status}`);
      current.state = next;
    },
    restart: (_run, err) => calls.push(`restart: ${(err as Error).message}`),
    resolver: o.resolver ?? null, schemas: [], roundMaxValues: o.roundMaxValues ?? 100, now: () => clock.now, counters: createCounters(), log,
    live: () => calls.push('live'),
  };
  return { h, lines, clock, current };
}

/** A stream as takeBatch leaves it. */
const show = (s: Stream) => ({
  next: s.next, dispatched: s.dispatched, committable: s.committable, highWatermark: s.highWatermark, lastData: s.lastData, held: s.held,
  pending: s.pending.map((m) => m.offset), pausedFor: [...s.pausedFor],
});
const at = (s: Partial<ReturnType<typeof show>>) => ({ next: 0, dispatched: 0, committable: 0, highWatermark: 0, lastData: T0, held: false, pending: [], pausedFor: [], ...s });

describe('takeBatch', () => {
  it('while live: drops what was read before, keeps the rest pending, dispatches soon, and at once when a round is full', async () => {
    const calls: string[] = [];
    const f = fakeRun(calls);
    const [s0] = f.streams as [Stream];
    s0.held = true; // a watermark reset holds the stream until a record comes
    const { h, clock } = host(calls, { status: 'live', assignment: TPS, run: f.run }, { roundMaxValues: 5 });
    const steps: unknown[] = [];
    const step = async (b: InputBatch): Promise<void> => {
      clock.now += 1000;
      await takeBatch(h, b);
      steps.push([show(s0), calls.splice(0)]);
    };
    await step(batch(0, [0, 1, 2], 10));
    await step(batch(0, [1, 2, 3], 8)); // a refetch, and an older answer about the partition's end
    await step(batch(0, [2, 3], 12)); // nothing new: only the end moves
    await step(batch(0, [4], 12)); // the fifth record: a full round
    expect(steps).toEqual([
      [at({ next: 3, highWatermark: 10, lastData: T0 + 1000, pending: [0, 1, 2] }), ['schedule']],
      [at({ next: 4, highWatermark: 10, lastData: T0 + 2000, pending: [0, 1, 2, 3] }), ['schedule']],
      [at({ next: 4, highWatermark: 12, lastData: T0 + 2000, pending: [0, 1, 2, 3] }), []],
      [at({ next: 5, dispatched: 5, highWatermark: 12, lastData: T0 + 4000 }), ['dispatch 0:0,1,2,3,4']],
    ]);
  });

  it('changes nothing for a partition the run does not hold, or without a run', async () => {
    const calls: string[] = [];
    const f = fakeRun(calls);
    const states: ServiceState[] = [{ status: 'live', assignment: TPS, run: f.run }, { status: 'standby' }, { status: 'stopping', run: f.run, final: true }];
    for (const state of states) {
      const { h } = host(calls, state);
      await takeBatch(h, { ...batch(0, [0, 1]), partition: state.status === 'live' ? 7 : 0 });
    }
    expect([f.streams.map(show), calls]).toEqual([[at({}), at({})], []]);
  });

  it('waits for a restore in progress, then drops the batch: the restore seeks, it comes again', async () => {
    const calls: string[] = [];
    let restored!: () => void;
    const { h } = host(calls, { status: 'restoring', assignment: TPS, restored: new Promise<void>((resolve) => {
      restored = resolve;
    }) });
    const done: string[] = [];
    const taking = takeBatch(h, batch(0, [0, 1])).then(() => done.push('taken'));
    await new Promise((resolve) => setImmediate(resolve));
    const before = [...done];
    const f = fakeRun(calls);
    h.enter({ status: 'live', assignment: TPS, run: f.run });
    restored();
    await taking;
    expect([before, done, f.streams.map(show), calls]).toEqual([[], ['taken'], [at({}), at({})], ['enter live']]);
  });

  it('resolves writer schemas first and sends them to the run\'s shards; plain Avro streams need none', async () => {
    const calls: string[] = [];
    const known = new Set<number>();
    const resolver: InputHost['resolver'] = {
      missing: (ids) => [...ids].filter((id) => !known.has(id)),
      resolve: async (ids) => {
        calls.push(`resolve ${ids.join(',')}`);
        return ids.map((id) => {
          known.add(id);
          return { id, schema: null, kind: 'login' };
        });
      },
    };
    const f = fakeRun(calls);
    const { h } = host(calls, { status: 'live', assignment: TPS, run: f.run }, { resolver });
    await takeBatch(h, { ...batch(0, [0]), messages: [msg(0, 1), msg(1, 2), msg(2, 1)] });
    await takeBatch(h, batch(1, [0, 1], 10, 2)); // known already
    const plain = fakeRun(calls, 'avro');
    const p = host(calls, { status: 'live', assignment: TPS, run: plain.run }, { resolver });
    await takeBatch(p.h, batch(0, [0], 10, 9));
    expect([h.schemas, f.streams.map((s) => s.pending.length), plain.streams.map((s) => s.pending.length), calls]).toEqual([
      [{ id: 1, schema: null, kind: 'login' }, { id: 2, schema: null, kind: 'login' }],
      [3, 2],
      [1, 0],
      ['resolve 1,2', 'schemas 1,2', 'schedule', 'schedule', 'schedule'],
    ]);
  });

  it('applies nothing to a run retired while the schemas were resolved; the process keeps the schemas', async () => {
    const calls: string[] = [];
    let resolved!: () => void;
    const gate = new Promise<void>((resolve) => {
      resolved = resolve;
    });
    const resolver: InputHost['resolver'] = {
      missing: (ids) => [...ids],
      resolve: async (ids) => {
        await gate;
        return ids.map((id) => ({ id, schema: null, kind: 'login' }));
      },
    };
    const f = fakeRun(calls);
    const { h } = host(calls, { status: 'live', assignment: TPS, run: f.run }, { resolver });
    const taking = takeBatch(h, batch(0, [0, 1]));
    h.enter({ status: 'restoring', assignment: TPS, restored: Promise.resolve() }); // a rebalance
    resolved();
    await taking;
    // Only the partition's end, seen before the wait, is noted: no record, no round, no schema send.
    expect([h.schemas, f.streams.map(show), calls]).toEqual([[{ id: 1, schema: null, kind: 'login' }], [at({ highWatermark: 10 }), at({})], ['enter restoring']]);
  });

  describe('while recovering', () => {
    const recovering = (f: Fake, hold: RecoveryHold): ServiceState => ({ status: 'recovering', assignment: TPS, run: f.run, hold });
    const late = { stream: 0, offset: 1, eventId: 'e1', ts: T0 - 60_000, watermark: T0, record: null };

    it('holds records past the committed offsets, pauses a stream that is back, and goes live once every stream is', async () => {
      const calls: string[] = [];
      const f = fakeRun(calls);
      f.output = { ...emptyOutput(), values: 5, late: [late] };
      const hold = RecoveryHold.of([3, 2]) as RecoveryHold;
      const { h, lines, current } = host(calls, recovering(f, hold));
      await takeBatch(h, batch(0, [0, 1, 2, 3, 4]));
      const first = [f.streams.map(show), calls.splice(0), current.state.status];
      await takeBatch(h, batch(1, [0, 1, 2]));
      expect([first, [f.streams.map(show), calls, current.state.status]]).toEqual([
        [[at({ next: 5, highWatermark: 10, pending: [0, 1, 2], pausedFor: ['recovery'] }), at({})], ['pause in/0', 'schedule'], 'recovering'],
        [
          [at({ next: 5, dispatched: 3, committable: 3, highWatermark: 10, pending: [3, 4] }), at({ next: 3, dispatched: 2, committable: 2, highWatermark: 10, pending: [2] })],
          ['schedule', 'dispatch 0:0,1,2 1:0,1', 'barrier', 'take', 'enter live', 'resume in/0', 'live', 'schedule'],
          'live',
        ],
      ]);
      expect([h.counters.recoveredValues, h.counters.suppressedOutputs, lines]).toEqual([5, 1, [
        { level: 30, replayed: 5, suppressed: 1, msg: 'recovered: caught up with the committed offsets; live' },
      ]]);
    });

    it('is live before it resumes the streams: what a source hands over from within resume() is taken, not held', async () => {
      // The RabbitMQ reader delivers what it buffered while paused from within resume(): that
      // batch reached a released hold (its records were lost) when the run was still recovering.
      const calls: string[] = [];
      const f = fakeRun(calls);
      const hold = RecoveryHold.of([2, null]) as RecoveryHold;
      const { h, current } = host(calls, recovering(f, hold));
      f.run.table.pause(f.streams[1] as Stream, 'recovery'); // as Run.begin does: nothing to re-read
      let fromResume: Promise<void> | undefined;
      const table = f.run.table as unknown as { control: { resume: (tps: readonly { topic: string; partition: number }[]) => void } };
      const resume = table.control.resume;
      table.control.resume = (tps) => {
        resume(tps);
        if (tps.some((tp) => tp.partition === 1)) fromResume = takeBatch(h, batch(1, [0, 1]));
      };
      await takeBatch(h, batch(0, [0, 1, 2, 3]));
      await fromResume;
      expect([f.streams.map((s) => ({ next: s.next, pending: s.pending.map((m) => m.offset) })), current.state.status]).toEqual([
        [{ next: 4, pending: [2, 3] }, { next: 2, pending: [0, 1] }],
        'live',
      ]);
    });

    it('finishes the recovery once, though more batches come while it waits for the replayed rounds', async () => {
      const calls: string[] = [];
      const f = fakeRun(calls);
      let barrier!: () => void;
      f.barrier = new Promise<void>((resolve) => {
        barrier = resolve;
      });
      const { h } = host(calls, recovering(f, RecoveryHold.of([1, null]) as RecoveryHold));
      const finishing = takeBatch(h, batch(0, [0, 1]));
      await new Promise((resolve) => setImmediate(resolve));
      await takeBatch(h, batch(0, [2])); // held: the stream is back; the recovery is finishing already
      barrier();
      await finishing;
      expect([f.streams.map((s) => s.pending.map((m) => m.offset)), calls]).toEqual([
        [[1, 2], []],
        ['schedule', 'dispatch 0:0', 'barrier', 'schedule', 'take', 'enter live', 'live', 'schedule'],
      ]);
    });

    it('restarts the run when the replayed rounds fail, and leaves a run a rebalance replaced meanwhile', async () => {
      const calls: string[] = [];
      const failing = fakeRun(calls);
      failing.barrier = Promise.reject(new Error('shard 1 died'));
      failing.barrier.catch(() => undefined); // handled where input awaits it
      const a = host(calls, recovering(failing, RecoveryHold.of([1, null]) as RecoveryHold));
      await takeBatch(a.h, batch(0, [0]));
      const restarted = [calls.splice(0), a.current.state.status];
      const replaced = fakeRun(calls);
      let barrier!: () => void;
      replaced.barrier = new Promise<void>((resolve) => {
        barrier = resolve;
      });
      const b = host(calls, recovering(replaced, RecoveryHold.of([1, null]) as RecoveryHold));
      const taking = takeBatch(b.h, batch(0, [0]));
      await new Promise((resolve) => setImmediate(resolve));
      b.h.enter({ status: 'restoring', assignment: TPS, restored: Promise.resolve() });
      barrier();
      await taking;
      expect([restarted, [calls, b.current.state.status]]).toEqual([
        [['schedule', 'dispatch 0:0', 'barrier', 'restart: shard 1 died'], 'recovering'],
        [['schedule', 'dispatch 0:0', 'barrier', 'enter restoring'], 'restoring'],
      ]);
    });
  });
});
