// Shards and rounds do not change the result. The fixture's framed values, as one stream,
// through 1, 2 and 3 shards (in-process and in worker threads) give exactly the alerts and
// late events of `cepheus replay`; split over 4 streams (as Kafka partitions would), every
// shard count and round size gives the same alerts as one shard.
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
const stream = (partition: number): StreamSpec => ({ topic: 'fixture', partition, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true });

async function run(backend: ShardBackend, values: readonly { value: Buffer; stream: number; account: string }[], streams: number, roundSize: number): Promise<RoundsOutput> {
  const rounds = await Rounds.start({
    backend, maxInFlight: 3,
    init: {
      rules: [], engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['fixture', EVENT_KINDS]],
      streams: Array.from({ length: streams }, (_, p) => stream(p)), schemas: EVENT_KINDS.map((kind) => ({ id: ids[kind], schema: null, kind })), restore: [],
    },
  });
  open.push(rounds);
  for (const parts of roundsOf(values.map((v) => v.value), (i) => (values[i]?.stream ?? 0) % streams, roundSize)) await rounds.submit(parts);
  rounds.requestFlush();
  await rounds.submit([]);
  await rounds.barrier();
  return rounds.take().output;
}

describe('rounds over shards', () => {
  it('one stream through 1-3 shards, in-process and in worker threads, gives replay\'s alerts and late events', async () => {
    const replayed = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const lateIds: string[] = [];
    const values: { value: Buffer; stream: number; account: string }[] = [];
    for await (const e of readEventsStrict('fixtures/default.avro')) values.push({ value: encodeConfluentValue(e, ids[e.kind]), stream: 0, account: e.account });
    expect(replayed.summary.late).toBe(13);
    for (const [backend, roundSize] of [[new InProcessShards(1), 4096], [new InProcessShards(3), 700], [new WorkerShards(2), 2048]] as const) {
      const out = await run(backend, values, 1, roundSize);
      expect(byId(out.alerts.map((a) => ({ ...a, matched: a.matched.map((m) => ({ ...m, events: m.events.map((x) => ({ ...x, source: null })) })) })))).toEqual(byId(replayed.alerts));
      expect([out.values, out.late.length, out.rejected, out.ruleErrors]).toEqual([values.length, 13, [], []]);
      lateIds.push(out.late.map((l) => l.eventId).sort().join());
    }
    expect(new Set(lateIds).size).toBe(1);
  }, 60_000);

  it('four streams keyed by account: every shard count and round size agrees with one shard', async () => {
    const values: { value: Buffer; stream: number; account: string }[] = [];
    for await (const e of readEventsStrict('fixtures/default.avro')) values.push({ value: encodeConfluentValue(e, ids[e.kind]), stream: shardOf(e.account, 4), account: e.account });
    const one = await run(new InProcessShards(1), values, 4, 5000);
    expect(one.alerts.length).toBeGreaterThanOrEqual(30);
    for (const [shards, roundSize] of [[2, 333], [3, 1024], [4, 97]] as const) {
      const out = await run(new InProcessShards(shards), values, 4, roundSize);
      expect({ alerts: byId(out.alerts), late: out.late.map((l) => l.eventId).sort() }).toEqual({ alerts: byId(one.alerts), late: one.late.map((l) => l.eventId).sort() });
    }
  }, 60_000);
});
