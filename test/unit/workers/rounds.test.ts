// Shards and rounds do not change the result. The fixture's framed values, as one stream,
// through 1, 2 and 3 shards (in-process and in worker threads) give exactly the alerts of
// `cepheus replay` and its 13 late events; split over 4 streams (as Kafka partitions would),
// every shard count and round size gives replay's alerts again and the same 9 late events
// (lateness is decided per stream).
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import type { Alert } from '../../../src/core/alert.ts';
import { shardOf } from '../../../src/core/order.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import type { StreamSpec } from '../../../src/workers/protocol.ts';
import { Rounds, roundsOf } from '../../../src/workers/rounds.ts';
import type { RoundsOutput } from '../../../src/workers/rounds.ts';
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

async function start(backend: ShardBackend, streams: number): Promise<Rounds> {
  const rounds = await Rounds.start({
    backend, maxInFlight: 3,
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

async function run(backend: ShardBackend, input: { values: Buffer[]; streamOf: number[] }, streams: number, roundSize: number): Promise<RoundsOutput> {
  const rounds = await start(backend, streams);
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

  it('four streams keyed by account: every shard count and round size gives replay\'s alerts and the same late events', async () => {
    const replayed = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const input = await fixture(4);
    for (const [shards, roundSize] of [[1, 5000], [2, 333], [3, 1024], [4, 97]] as const) {
      const out = await run(new InProcessShards(shards), input, 4, roundSize);
      expect({ alerts: byId(withoutSources(out.alerts)), late: lateOf(out), values: out.values }).toEqual({ alerts: byId(replayed.alerts), late: LATE_FOUR_STREAMS, values: input.values.length });
    }
  }, 60_000);
});
