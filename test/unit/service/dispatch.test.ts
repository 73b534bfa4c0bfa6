// Dispatch: a round takes every stream's pending records (positions after them in its tag);
// dispatches run one at a time, once per turn however many batches came; a full pipeline
// pauses the consumer until the round is submitted; a checkpoint cut holds new dispatches
// until it is drawn; a failed submit is reported; a retired run dispatches nothing.
import { describe, expect, it } from 'vitest';
import type { InputMessage, TopicPartition } from '../../../src/kafka/source.ts';
import { ArrivalLog } from '../../../src/service/arrivals.ts';
import { createCounters } from '../../../src/service/counters.ts';
import { Dispatcher, backpressured, takeRound } from '../../../src/service/dispatch.ts';
import type { DispatchRounds, RoundTag } from '../../../src/service/dispatch.ts';
import { StreamTable, startStream } from '../../../src/service/stream-table.ts';
import type { StreamValues } from '../../../src/workers/rounds.ts';

const msg = (offset: number, v = offset): InputMessage => ({ offset, key: v % 2 === 0 ? null : Buffer.from([v]), value: v === 0 ? null : Buffer.from([v]), timestamp: 1000 + offset });

/** Rounds that log what they get; a submit waits while `gate` is set. */
class FakeRounds implements DispatchRounds {
  inFlight = 0;
  readonly log: string[];
  gate: Promise<void> | undefined;
  fail: Error | undefined;
  constructor(log: string[]) {
    this.log = log;
  }
  async submit(parts: readonly StreamValues[], tag?: RoundTag): Promise<void> {
    this.log.push(`submit ${parts.map((p) => `${p.stream}:${Array.from(p.offsets).join(',')}`).join(' ')} -> ${JSON.stringify(tag?.positions)}`);
    if (this.gate !== undefined) await this.gate;
    if (this.fail !== undefined) throw this.fail;
  }
}

function setup(live = true) {
  const log: string[] = [];
  const control = {
    pause: (tps: readonly TopicPartition[]) => log.push(...tps.map((tp) => `pause ${tp.partition}`)),
    resume: (tps: readonly TopicPartition[]) => log.push(...tps.map((tp) => `resume ${tp.partition}`)),
    seek: () => undefined,
  };
  const streams = [0, 1].map((p) => startStream(p, { topic: 't', partition: p }, 'confluent', 0, null, 100, 0));
  const table = new StreamTable(streams, control);
  const rounds = new FakeRounds(log);
  const deferred: (() => void)[] = [];
  const failures: string[] = [];
  const counters = createCounters();
  const d = new Dispatcher({
    rounds, table, maxInFlight: 2, counters, arrivals: new ArrivalLog(), live: () => live,
    failed: (err) => failures.push((err as Error).message), defer: (f) => deferred.push(f), clock: () => 5,
  });
  return { log, streams, rounds, deferred, failures, counters, d };
}

describe('dispatch', () => {
  it('takes every stream\'s pending records as one round', () => {
    const streams = [0, 1, 2].map((p) => startStream(p, { topic: 't', partition: p }, 'confluent', 0, null, 0, 0));
    (streams[0] as (typeof streams)[number]).pending = [msg(0), msg(1)];
    (streams[2] as (typeof streams)[number]).pending = [msg(7)];
    const round = takeRound(streams);
    expect(round).toEqual({
      parts: [
        { stream: 0, values: [new Uint8Array(0), Buffer.from([1])], offsets: new Float64Array([0, 1]), keys: [null, Buffer.from([1])], timestamps: new Float64Array([1000, 1001]) },
        { stream: 2, values: [Buffer.from([7])], offsets: new Float64Array([7]), keys: [Buffer.from([7])], timestamps: new Float64Array([1007]) },
      ],
      tag: { positions: [[0, 2], [2, 8]] },
      values: 3,
    });
    expect(streams.map((s) => [s.dispatched, s.pending.length])).toEqual([[2, 0], [0, 0], [8, 0]]);
    expect(takeRound(streams)).toEqual({ parts: [], tag: { positions: [] }, values: 0 });
    expect([backpressured(1, 2), backpressured(2, 2), backpressured(3, 2)]).toEqual([false, true, true]);
  });

  it('dispatches once per turn, and control rounds even with nothing pending', async () => {
    const t = setup();
    (t.streams[0] as (typeof t.streams)[number]).pending = [msg(0)];
    t.d.schedule();
    t.d.schedule();
    (t.streams[1] as (typeof t.streams)[number]).pending = [msg(3)];
    expect(t.deferred.length).toBe(1);
    t.deferred.splice(0).forEach((f) => f());
    await t.d.dispatch();
    await t.d.dispatch(true);
    expect({ log: t.log, rounds: t.counters.rounds, values: t.counters.roundValues }).toEqual({
      log: ['submit 0:0 1:3 -> [[0,1],[1,4]]', 'submit  -> []'], rounds: 2, values: 2,
    });
  });

  it('pauses the consumer while the rounds in flight are at the limit, until the round is submitted', async () => {
    const t = setup();
    t.rounds.inFlight = 2;
    let open!: () => void;
    t.rounds.gate = new Promise((resolve) => {
      open = resolve;
    });
    (t.streams[0] as (typeof t.streams)[number]).pending = [msg(0)];
    const p = t.d.dispatch();
    await new Promise((resolve) => setImmediate(resolve));
    t.log.push('(waiting)');
    open();
    await p;
    expect([t.log, t.counters.backpressurePauses]).toEqual([['pause 0', 'pause 1', 'submit 0:0 -> [[0,1]]', '(waiting)', 'resume 0', 'resume 1'], 1]);
  });

  it('holds new dispatches while a cut is drawn after what was pending', async () => {
    const t = setup();
    (t.streams[0] as (typeof t.streams)[number]).pending = [msg(0)];
    let draw!: () => void;
    const cut = t.d.cutAfterPending(async () => {
      t.log.push('cut requested');
      await new Promise<void>((resolve) => {
        draw = resolve;
      });
      t.log.push('cut drawn');
      return 'the cut';
    });
    await new Promise((resolve) => setImmediate(resolve));
    (t.streams[1] as (typeof t.streams)[number]).pending = [msg(4)];
    const later = t.d.dispatch();
    await new Promise((resolve) => setImmediate(resolve));
    draw();
    expect(await cut).toBe('the cut');
    await later;
    expect(t.log).toEqual(['submit 0:0 -> [[0,1]]', 'cut requested', 'cut drawn', 'submit 1:4 -> [[1,5]]']);
  });

  it('reports a failed submit and still resumes; a retired run dispatches nothing', async () => {
    const t = setup();
    t.rounds.inFlight = 2;
    t.rounds.fail = new Error('shard 1 died');
    (t.streams[0] as (typeof t.streams)[number]).pending = [msg(0)];
    await t.d.dispatch();
    expect([t.log, t.failures]).toEqual([['pause 0', 'pause 1', 'submit 0:0 -> [[0,1]]', 'resume 0', 'resume 1'], ['shard 1 died']]);

    const r = setup(false);
    (r.streams[0] as (typeof r.streams)[number]).pending = [msg(0)];
    await r.d.dispatch(true);
    expect([r.log, r.counters.rounds, (r.streams[0] as (typeof r.streams)[number]).pending.length]).toEqual([[], 0, 1]);
  });
});
