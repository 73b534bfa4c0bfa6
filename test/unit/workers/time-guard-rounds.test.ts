// Time through the shards, with one shard (one task per round) and two (two phases):
// - an event dated 2099 in a record stamped now is quarantined at its home shard with its
//   original bytes; every other output is the run without it (without the guard, every later
//   event of its stream is late);
// - recovery decides the same: a cut before the runaway record, restored at another shard
//   count, re-reads it and quarantines it again, with the same outputs as the first run;
// - a watermark reset after a burst made later events late: the same events read again are on
//   time and raise exactly replay's alerts (and replay's late events), the reset's before and
//   after as the driver saw them.
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../../src/core/order.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { AnyEvent, EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import { replay } from '../../../src/replay/replay.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { login } from '../../../src/testing.ts';
import { futureMessage } from '../../../src/workers/shard-handler.ts';
import { Rounds } from '../../../src/workers/rounds.ts';
import type { RoundsOutput, StreamValues } from '../../../src/workers/rounds.ts';
import { InProcessShards } from '../../../src/workers/shard-pool.ts';

const ids = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
const STREAMS = 3;
const SKEW = 300_000;
const Y2099 = Date.UTC(2099, 0, 1);
const open: Rounds[] = [];
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
});

interface Rec { readonly event: AnyEvent; readonly stream: number; readonly recordTs: number }

const init = (restore: readonly Uint8Array[] = [], maxTs: readonly number[] = [], active: readonly boolean[] = [], guard = true) => ({
  rules: [], engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['f', EVENT_KINDS]] as [string, readonly EventKind[]][], restore, ...(guard ? { maxFutureSkewMs: SKEW } : {}),
  streams: Array.from({ length: STREAMS }, (_, partition) => ({ topic: 'f', partition, format: 'confluent' as const, schemaId: 0, maxTs: maxTs[partition] ?? -Infinity, active: active[partition] ?? true })),
  schemas: EVENT_KINDS.map((kind) => ({ id: ids[kind], schema: null, kind })),
});

async function start(shards: number, i = init(), watermark = -Infinity): Promise<Rounds> {
  const r = await Rounds.start({ backend: new InProcessShards(shards), init: i, maxInFlight: 3, watermark });
  open.push(r);
  return r;
}

/** Rounds of `size` records, offsets per stream from `from` (default 0), each record with its Kafka timestamp. */
function roundsOf(recs: readonly Rec[], size: number, from: number[] = Array.from({ length: STREAMS }, () => 0)): StreamValues[][] {
  const next = [...from];
  const out: StreamValues[][] = [];
  for (let i = 0; i < recs.length; i += size) {
    const parts = new Map<number, { stream: number; values: Uint8Array[]; offsets: number[]; timestamps: number[] }>();
    for (const r of recs.slice(i, i + size)) {
      const p = parts.get(r.stream) ?? { stream: r.stream, values: [], offsets: [], timestamps: [] };
      parts.set(r.stream, p);
      p.values.push(encodeConfluentValue(r.event, ids[r.event.kind]));
      const offset = next[r.stream] ?? 0;
      next[r.stream] = offset + 1;
      p.offsets.push(offset);
      p.timestamps.push(r.recordTs);
    }
    out.push([...parts.values()]);
  }
  return out;
}

/** Events [from, to) of the fixture (a stretch with alerts in it). */
async function fixture(from: number, to: number): Promise<AnyEvent[]> {
  const out: AnyEvent[] = [];
  let i = 0;
  for await (const e of readEventsStrict('fixtures/default.avro')) {
    if (i >= to) break;
    if (i++ >= from) out.push(e);
  }
  return out;
}

async function drive(r: Rounds, rounds: readonly StreamValues[][], flush = true): Promise<RoundsOutput> {
  for (const parts of rounds) await r.submit(parts);
  if (flush) {
    r.requestFlush();
    await r.submit([]);
  }
  await r.barrier();
  return r.take().output;
}

const alertIds = (o: RoundsOutput): string[] => o.alerts.map((a) => a.id).sort();
const lateIds = (o: RoundsOutput): string[] => o.late.map((l) => l.eventId).sort();
const rejected = (o: RoundsOutput) => o.rejected.map((x) => ({ stream: x.stream, offset: x.offset, code: x.code, message: x.message, value: Buffer.from(x.record.value ?? []).toString('hex'), timestamp: x.record.timestamp }));

describe('the future-event guard in the rounds', () => {
  const AT = 2500;
  let events: AnyEvent[] = [];
  let recs: Rec[] = [];
  let runaway: Rec = { event: login('x', 0), stream: 0, recordTs: 0 };
  let expectedRejected: ReturnType<typeof rejected> = [];

  const setUp = async (): Promise<void> => {
    if (recs.length > 0) return;
    events = await fixture(4000, 10_000);
    const good = events.map((event): Rec => ({ event, stream: shardOf(event.account, STREAMS), recordTs: event.ts }));
    const neighbour = good[AT - 1] as Rec;
    // A producer at the neighbour's time sends an event dated 2099 (CreateTime: now, as producers do).
    runaway = { event: { ...(good.find((g) => g.event.kind === 'login') as Rec).event, id: 'ev-runaway-2099', ts: Y2099, account: neighbour.event.account } as AnyEvent, stream: neighbour.stream, recordTs: neighbour.recordTs };
    recs = [...good.slice(0, AT), runaway, ...good.slice(AT)];
    const offset = good.slice(0, AT).filter((g) => g.stream === runaway.stream).length;
    expectedRejected = [{
      stream: runaway.stream, offset, code: 'CEP_ERR_FUTURE_EVENT', message: futureMessage(`f/${runaway.stream}`, offset, runaway.event, runaway.recordTs, SKEW),
      value: encodeConfluentValue(runaway.event, ids.login).toString('hex'), timestamp: runaway.recordTs,
    }];
  };

  it.each([1, 2])('quarantines the runaway event at its home shard; the rest is the run without it (%i shards)', async (shards) => {
    await setUp();
    const without = await drive(await start(shards), roundsOf(recs.filter((r) => r !== runaway), 700));
    const guarded = await drive(await start(shards), roundsOf(recs, 700));
    const unguarded = await drive(await start(shards, init([], [], [], false)), roundsOf(recs, 700));
    const laterOnItsStream = recs.slice(AT + 1).filter((r) => r.stream === runaway.stream).map((r) => r.event.id);
    expect(alertIds(without).length).toBe(9);
    expect({ alerts: alertIds(guarded), late: lateIds(guarded), rejected: rejected(guarded) }).toEqual({ alerts: alertIds(without), late: lateIds(without), rejected: expectedRejected });
    // Without the guard: every later event of its stream is late (the failure as reported).
    expect(lateIds(unguarded)).toEqual([...new Set([...lateIds(without), ...laterOnItsStream])].sort());
    expect(laterOnItsStream.length).toBe(1121);
    expect(rejected(unguarded)).toEqual([]);
  }, 60_000);

  it('recovery decides the same: a cut before the runaway record, restored at another shard count, re-reads it and quarantines it again', async () => {
    await setUp();
    const rounds = roundsOf(recs, 500);
    const cutAt = Math.floor(AT / 500) - 1; // the runaway record is in a later round
    for (const [before, after] of [[2, 1], [1, 2]] as const) {
      const first = await start(before);
      for (const parts of rounds.slice(0, cutAt)) await first.submit(parts);
      const cut = await first.cut();
      await first.completedThrough(cut.through);
      first.take(cut.through); // committed with the checkpoint
      const crashed = await drive(first, rounds.slice(cutAt)); // outputs after the cut: committed, then the instance died
      const snaps = (await cut.snapshots).map((b) => new Uint8Array(deflateRawSync(b)));
      const second = await start(after, init(snaps, cut.maxTs, cut.active), cut.watermark);
      const recovered = await drive(second, rounds.slice(cutAt));
      expect({ alerts: alertIds(recovered), late: lateIds(recovered), rejected: rejected(recovered) }).toEqual({ alerts: alertIds(crashed), late: lateIds(crashed), rejected: expectedRejected });
    }
  }, 60_000);
});

describe('a watermark reset', () => {
  it.each([1, 2])('after a burst made later events late, lets them in again: replay\'s alerts and late events (%i shards)', async (shards) => {
    const s2 = await fixture(4000, 10_000);
    const rules = (await loadRules()).map((l) => l.rule);
    const expected = { alerts: [] as string[], late: [] as string[] };
    await replay(s2.map((event) => ({ event })), {
      rules, engine: { outOfOrdernessMs: 5000 }, onAlert: (a) => expected.alerts.push(a.id), onEffect: (f) => {
        if (f.kind === 'late') expected.late.push(f.event.id);
      },
    });
    // Everything on stream 0, so the burst's time is the stream's: one partition a producer moved ahead.
    const burstTs = Math.max(...s2.map((e) => e.ts)) + 10 * 86_400_000;
    const burst: Rec[] = [0, 1, 2].map((i) => ({ event: login(`burst-${i}`, burstTs + i * 1000, { account: 'BURST' }), stream: 0, recordTs: burstTs + i * 1000 }));
    const later: Rec[] = s2.map((event) => ({ event, stream: 0, recordTs: burstTs + 5000 }));
    const r = await start(shards);
    const first = await drive(r, [...roundsOf(burst, 10), ...roundsOf(later, 700, [3, 0, 0])]);
    expect({ alerts: first.alerts.length, late: first.late.length, watermark: r.watermark }).toEqual({ alerts: 0, late: s2.length, watermark: burstTs + 2000 });

    const to = Math.min(...s2.map((e) => e.ts)) - 1000;
    const applied = r.resetStream(0, to);
    await r.submit([]);
    expect(await applied).toEqual({
      before: { maxTs: burstTs + 2000, watermark: burstTs - 3000, active: true, global: burstTs + 2000 },
      after: { maxTs: to + 5000, watermark: to, active: true, global: to },
    });
    expect(r.watermark).toBe(to);
    const again = await drive(r, roundsOf(later, 700, [3 + s2.length, 0, 0]));
    expect({ alerts: alertIds(again), late: lateIds(again) }).toEqual({ alerts: [...expected.alerts].sort(), late: [...expected.late].sort() });
    expect([expected.alerts.length, expected.late.length]).toEqual([9, 3]);
  }, 60_000);

  it('a reset not yet applied fails when the shards stop first (a restore, a stop): the caller hears it', async () => {
    const r = await start(1);
    const pending = r.resetStream(1, 0);
    await r.close();
    await expect(pending).rejects.toThrow('CEP_ERR_STATE_UNAVAILABLE: the shards stopped (a restore or a stop) before the reset was applied; ask again');
  });
});
