// Shards and rounds do not change the result. The fixture's framed values, as one stream,
// through 1, 2 and 3 shards (in-process and in worker threads) give exactly the alerts of
// `cepheus replay` and its 13 late events; split over 4 streams (as Kafka partitions would),
// every shard count and round size gives replay's alerts again and the same 9 late events
// (lateness is decided per stream). With one shard, a round run as one task gives the
// outputs of the two-phase path, whole lists in order, through dead letters, rule toggles,
// an idle stream and flushes.
import { deserialize } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import type { EngineSnapshot } from '../../../src/core/engine/index.ts';
import { shardOf } from '../../../src/core/order.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import type { StreamSpec } from '../../../src/workers/protocol.ts';
import { Rounds } from '../../../src/workers/rounds.ts';
import type { RoundsOutput, StreamValues } from '../../../src/workers/rounds.ts';
import { roundsOf } from '../../../src/workers/rounds-of.ts';
import { InProcessShards, WorkerShards } from '../../../src/workers/shard-pool.ts';
import type { ShardBackend } from '../../../src/workers/shard-pool.ts';

const ids = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
const open: Rounds[] = [];
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
});

const byId = (xs: readonly Alert[]): Alert[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
/** Replay reads a file: its alerts carry no Kafka source. */
const withoutSources = (xs: readonly Alert[]): Alert[] => xs.map((a) => ({ ...a, matched: a.matched.map((m) => ({ ...m, events: m.events.map((x) => ({ ...x, source: null })) })) }));
const lateOf = (out: RoundsOutput): [string, number, number][] => out.late.map((l): [string, number, number] => [l.eventId, l.stream, l.offset]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
const stream = (partition: number): StreamSpec => ({ topic: 'fixture', partition, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true });

async function start(backend: ShardBackend, streams: number, singleTask?: boolean): Promise<Rounds> {
  const rounds = await Rounds.start({
    backend, maxInFlight: 3, ...(singleTask === undefined ? {} : { singleTask }),
    init: {
      rules: [], engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['fixture', EVENT_KINDS]],
      streams: Array.from({ length: streams }, (_, p) => stream(p)), schemas: EVENT_KINDS.map((kind) => ({ id: ids[kind], schema: null, kind })), restore: [],
    },
  });
  open.push(rounds);
  return rounds;
}

/** The fixture as framed values, each with the stream (of `streams`) its account goes to. */
async function fixture(streams: number): Promise<{ values: Buffer[]; streamOf: number[] }> {
  const values: Buffer[] = [];
  const streamOf: number[] = [];
  for await (const e of readEventsStrict('fixtures/default.avro')) {
    values.push(encodeConfluentValue(e, ids[e.kind]));
    streamOf.push(shardOf(e.account, streams));
  }
  return { values, streamOf };
}

async function run(backend: ShardBackend, input: { values: Buffer[]; streamOf: number[] }, streams: number, roundSize: number, singleTask?: boolean): Promise<RoundsOutput> {
  const rounds = await start(backend, streams, singleTask);
  for (const parts of roundsOf(input.values, (i) => (input.streamOf[i] as number) % streams, roundSize)) await rounds.submit(parts);
  rounds.requestFlush();
  await rounds.submit([]);
  await rounds.barrier();
  return rounds.take().output;
}

// [event id, stream, offset] of the events late for their own stream, in id order.
const LATE_ONE_STREAM = [
  ['ev-0ab81136d76a', 0, 4443], ['ev-139a6165fdee', 0, 18253], ['ev-2b223f895529', 0, 28610], ['ev-326b30b8b96c', 0, 15958], ['ev-3352b36107f0', 0, 9161],
  ['ev-484952749cdd', 0, 18845], ['ev-58159d0b7b8e', 0, 18963], ['ev-58b79403e68a', 0, 27598], ['ev-5d216b3348dd', 0, 17127], ['ev-958c57be9d0c', 0, 29865],
  ['ev-b48ffd3b9302', 0, 23588], ['ev-c4e53d8d07d0', 0, 1784], ['ev-cd054edb8449', 0, 4244],
];
const LATE_FOUR_STREAMS = [
  ['ev-139a6165fdee', 3, 4140], ['ev-2b223f895529', 2, 8568], ['ev-3352b36107f0', 0, 2221], ['ev-484952749cdd', 1, 4320], ['ev-58b79403e68a', 2, 8288],
  ['ev-5d216b3348dd', 1, 3912], ['ev-958c57be9d0c', 0, 7432], ['ev-b48ffd3b9302', 0, 5880], ['ev-cd054edb8449', 1, 901],
];

describe('rounds over shards', () => {
  it('one stream through 1-3 shards, in-process and in worker threads, gives replay\'s alerts and late events', async () => {
    const replayed = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    expect([replayed.summary.alerts, replayed.summary.late]).toEqual([30, 13]);
    const input = await fixture(1);
    for (const [backend, roundSize] of [[new InProcessShards(1), 4096], [new InProcessShards(3), 700], [new WorkerShards(2), 2048], [new WorkerShards(1), 1500]] as const) {
      const out = await run(backend, input, 1, roundSize);
      expect(byId(withoutSources(out.alerts))).toEqual(byId(replayed.alerts));
      expect([out.values, lateOf(out), out.rejected, out.ruleErrors, out.overflowDropped]).toEqual([input.values.length, LATE_ONE_STREAM, [], [], 0]);
    }
  }, 60_000);

  it('four streams keyed by account: every shard count, path and round size gives replay\'s alerts and the same late events', async () => {
    const replayed = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const input = await fixture(4);
    for (const [shards, roundSize, singleTask] of [[1, 5000, true], [1, 5000, false], [2, 333, false], [3, 1024, false], [4, 97, false]] as const) {
      const out = await run(new InProcessShards(shards), input, 4, roundSize, singleTask);
      expect({ alerts: byId(withoutSources(out.alerts)), late: lateOf(out), values: out.values }).toEqual({ alerts: byId(replayed.alerts), late: LATE_FOUR_STREAMS, values: input.values.length });
    }
  }, 60_000);
});

describe('one shard: one task per round', () => {
  const STREAMS = 3;
  const IDLE = 2;
  /** A value no schema id matches: dead-lettered with its key and timestamp. */
  const bad = (i: number): Buffer => Buffer.from([0, 0, 0, 0, 99, i & 255]);

  /** The fixture over 3 streams with a bad value every 997, keys (every 4th null) and Kafka timestamps. */
  async function input(): Promise<StreamValues[][]> {
    const { values, streamOf } = await fixture(STREAMS);
    const mixed = values.map((v, i) => (i % 997 === 500 ? bad(i) : v));
    return [...roundsOf(mixed, (i) => streamOf[i] as number, 1000)].map((parts) => parts.map((p) => ({
      ...p,
      keys: Array.from(p.offsets, (o) => (o % 4 === 0 ? null : Buffer.from(`key-${p.stream}-${o}`))),
      timestamps: Array.from(p.offsets, (o) => 1_700_000_000_000 + o),
    })));
  }

  /**
   * The engine state in a snapshot. Its reorder buffer is a heap whose layout depends on when
   * events were pushed relative to releases (two phases may run ingest r+1 before deliver r),
   * not on which events it holds: compared as a set.
   */
  const engineState = (bytes: Uint8Array): EngineSnapshot => {
    const s = deserialize(bytes) as EngineSnapshot;
    return { ...s, buffer: [...s.buffer].sort((a, b) => (a.event.id < b.event.id ? -1 : 1)) };
  };

  /**
   * Rounds 0-35 with: a rule off for rounds 5-8; stream 2 marked idle at round 12 and its
   * records held back until round 18 (they arrive behind the watermark the others moved);
   * a flush at round 25 and at the end. Returns the outputs and the cuts at rounds 12, 18, end.
   * Rounds around the idle stream's return and the flush wait for the rounds before them: a
   * round's watermark can then be ahead of a stream's own, and with two phases whether the
   * next round's events of that stream come before it depends on thread timing.
   */
  async function script(rounds: Rounds, all: readonly StreamValues[][]): Promise<{ output: RoundsOutput; cuts: unknown[] }> {
    const cuts: unknown[] = [];
    const cut = async (): Promise<void> => {
      const c = await rounds.cut();
      cuts.push({ through: c.through, maxTs: c.maxTs, active: c.active, watermark: c.watermark, engine: (await c.snapshots).map(engineState) });
    };
    const held: StreamValues[] = [];
    for (const [i, parts] of all.entries()) {
      if (i === 5) void rounds.changeRules({ kind: 'switch', seq: 1, ruleId: 'structuring', enabled: false });
      if (i === 9) void rounds.changeRules({ kind: 'switch', seq: 2, ruleId: 'structuring', enabled: true });
      if (i === 12) {
        await rounds.barrier();
        rounds.clock.setActive(IDLE, false);
        rounds.requestAdvance();
        await cut();
      }
      if (i === 25) {
        await rounds.barrier();
        rounds.requestFlush();
        await rounds.submit(parts);
        await rounds.barrier();
        continue;
      }
      if (i >= 12 && i < 18) {
        held.push(...parts.filter((p) => p.stream === IDLE));
        await rounds.submit(parts.filter((p) => p.stream !== IDLE));
        continue;
      }
      if (i === 18) {
        await rounds.barrier();
        await rounds.submit([...held, ...parts]);
        await cut();
        continue;
      }
      await rounds.submit(parts);
    }
    rounds.requestFlush();
    await rounds.submit([]);
    await rounds.barrier();
    await cut();
    return { output: rounds.take().output, cuts };
  }

  it('gives the two-phase outputs, whole lists in order, in-process and in a worker thread', async () => {
    const all = await input();
    const twoPhase = await script(await start(new InProcessShards(1), STREAMS, false), all);
    // What the script exercises, on the reference path: every bad value dead-lettered with its
    // record; stream 2's held-back records late, with theirs; no rule error, nothing dropped.
    const o = twoPhase.output;
    const byPlace = <X extends { stream: number; offset: number }>(xs: readonly X[]): X[] => [...xs].sort((a, b) => a.stream - b.stream || a.offset - b.offset);
    const bads = all.flat().flatMap((p) => p.values.flatMap((v, k) => (v !== null && v.length === 6 ? [{
      stream: p.stream, offset: p.offsets[k] as number, record: { key: p.keys?.[k] === null ? null : new Uint8Array(p.keys?.[k] as Uint8Array), value: new Uint8Array(v), timestamp: p.timestamps?.[k] as number },
    }] : [])));
    expect(bads.length).toBe(36);
    expect(byPlace(o.rejected.map((r) => ({ stream: r.stream, offset: r.offset, record: r.record })))).toEqual(byPlace(bads));
    expect(new Set(o.rejected.map((r) => r.code))).toEqual(new Set(['CEP_ERR_INPUT_SCHEMA_UNKNOWN']));
    const heldBack = o.late.filter((l) => l.stream === IDLE && l.record !== null);
    expect(heldBack.length).toBeGreaterThan(1000);
    expect(heldBack.filter((l) => l.record?.timestamp !== 1_700_000_000_000 + l.offset)).toEqual([]);
    expect([o.values, o.ruleErrors, o.overflowDropped]).toEqual([36_000, [], 0]);

    for (const backend of [new InProcessShards(1), new WorkerShards(1)]) {
      const oneTask = await script(await start(backend, STREAMS), all);
      expect(oneTask).toEqual(twoPhase);
    }
  }, 60_000);

  it('refuses one task per round over several shards', async () => {
    await expect(start(new InProcessShards(2), 1, true)).rejects.toMatchObject({ code: 'CEP_ERR_SHARD' });
  });
});
