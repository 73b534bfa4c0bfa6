// The round driver's flow control and cuts, with shards that answer after random delays, in
// two phases (2 shards) and one task per round (1 shard):
// - never more than maxInFlight rounds outstanding, and submit() waits for room;
// - take() hands over only the done prefix of rounds, with their tags, in order;
// - a cut taken between any two rounds restores (at any shard count, from and to one shard
//   included) to a run that ends with exactly the alerts of the uninterrupted one: what
//   checkpoints rely on; with the bundled rules and rules under every after-match skip
//   strategy (test/rules/every-strategy.ts).
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { shardOf } from '../../../src/core/order.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import { Prng } from '../../../src/fixture-generator/prng.ts';
import type { ShardResult, ShardTask } from '../../../src/workers/protocol.ts';
import { Rounds } from '../../../src/workers/rounds.ts';
import { roundsOf } from '../../../src/workers/rounds-of.ts';
import type { StreamValues } from '../../../src/workers/rounds-of.ts';
import { InProcessShards } from '../../../src/workers/shard-pool.ts';
import type { ShardBackend } from '../../../src/workers/shard-pool.ts';

const ids = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
const STREAMS = 3;

/** In-process shards whose answers come back after a random delay (seeded). */
class Jittery implements ShardBackend {
  readonly shards: number;
  private readonly inner: InProcessShards;
  private readonly rng: Prng;
  running = 0;
  constructor(shards: number, seed: number) {
    this.shards = shards;
    this.inner = new InProcessShards(shards);
    this.rng = new Prng(seed);
  }
  async run(shard: number, task: ShardTask): Promise<ShardResult> {
    const r = await this.inner.run(shard, task);
    await new Promise((resolve) => setTimeout(resolve, this.rng.int(3)));
    return r;
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const init = (restore: readonly Uint8Array[], maxTs: readonly number[] = [], active: readonly boolean[] = [], rules: readonly string[] = []) => ({
  rules, engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['f', EVENT_KINDS]] as [string, readonly EventKind[]][], restore,
  streams: Array.from({ length: STREAMS }, (_, partition) => ({ topic: 'f', partition, format: 'confluent' as const, schemaId: 0, maxTs: maxTs[partition] ?? -Infinity, active: active[partition] ?? true })),
  schemas: EVENT_KINDS.map((kind) => ({ id: ids[kind], schema: null, kind })),
});

async function fixtureRounds(size: number): Promise<StreamValues[][]> {
  const values: Buffer[] = [];
  const streams: number[] = [];
  for await (const e of readEventsStrict('fixtures/default.avro')) {
    values.push(encodeConfluentValue(e, ids[e.kind]));
    streams.push(shardOf(e.account, STREAMS));
  }
  return [...roundsOf(values, (i) => streams[i] as number, size)];
}

const byId = (xs: readonly Alert[]): string[] => xs.map((a) => a.id).sort();
const open: Rounds[] = [];
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
});

describe('round flow', () => {
  it.each([2, 1])('keeps at most maxInFlight rounds outstanding and hands over the done prefix in order (%i shards)', async (shards) => {
    const backend = new Jittery(shards, 1);
    const rounds = await Rounds.start<number>({ backend, init: init([]), maxInFlight: 3 });
    open.push(rounds);
    let most = 0;
    const taken: number[] = [];
    const input = await fixtureRounds(900);
    for (const [i, parts] of input.entries()) {
      await rounds.submit(parts, i);
      most = Math.max(most, rounds.inFlight);
      if (i % 7 === 0) {
        const t = rounds.take();
        taken.push(...t.tags);
        expect(t.through).toBe(t.tags.length === 0 ? 0 : (t.tags[t.tags.length - 1] as number) + 1);
      }
    }
    await rounds.barrier();
    taken.push(...rounds.take().tags);
    expect({ most, taken }).toEqual({ most: 3, taken: input.map((_, i) => i) });
  }, 60_000);

  it('a cut between any two rounds restores, at any shard count, to the uninterrupted run\'s alerts, under every skip strategy', async () => {
    const input = await fixtureRounds(1500);
    const rules = ['rules', 'test/rules/every-strategy.ts'];
    const whole = await Rounds.start({ backend: new Jittery(2, 2), init: init([], [], [], rules) });
    open.push(whole);
    for (const parts of input) await whole.submit(parts);
    whole.requestFlush();
    await whole.submit([]);
    await whole.barrier();
    const output = whole.take().output.alerts;
    const expected = byId(output);
    const perRule = (id: string): number => output.filter((a) => a.ruleId === id).length;
    expect(['account-takeover', 'strategy-round-trip-no-skip', 'strategy-round-trip-skip-overlapping', 'strategy-failures-skip-to-last', 'strategy-trades-skip-overlapping', 'strategy-login-transfer-no-skip'].map(perRule))
      .toEqual([3, 301, 189, 134, 886, 116]);

    for (const [at, shardsBefore, shardsAfter] of [[3, 2, 1], [7, 1, 1], [11, 2, 3], [19, 1, 2]] as const) {
      const first = await Rounds.start({ backend: new Jittery(shardsBefore, at), init: init([], [], [], rules) });
      open.push(first);
      for (const parts of input.slice(0, at)) await first.submit(parts);
      const cut = await first.cut();
      for (const parts of input.slice(at, at + 2)) await first.submit(parts); // work after the cut is not in it
      const snaps = (await cut.snapshots).map((b) => new Uint8Array(deflateRawSync(b)));
      await first.completedThrough(cut.through);
      const before = first.take(cut.through).output.alerts;
      const second = await Rounds.start({ backend: new Jittery(shardsAfter, at + 100), init: init(snaps, cut.maxTs, cut.active, rules), watermark: cut.watermark });
      open.push(second);
      for (const parts of input.slice(at)) await second.submit(parts);
      second.requestFlush();
      await second.submit([]);
      await second.barrier();
      expect(byId([...before, ...second.take().output.alerts])).toEqual(expected);
    }
  }, 120_000);
});
