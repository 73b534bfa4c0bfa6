// A restore, over an in-memory Kafka and in-process shards: the streams it plans and starts
// (positions, ends), the recovery hold when the group committed past the checkpoint, the
// summary it logs, warnings (rules changed, records deleted); and a restore no longer wanted
// closes its shards and never touches the consumer.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { inputsOf } from '../../../src/config/inputs.ts';
import { tpKey } from '../../../src/kafka/admin.ts';
import { ArrivalLog } from '../../../src/service/arrivals.ts';
import type { Checkpoint } from '../../../src/service/checkpoint.ts';
import { createCounters } from '../../../src/service/counters.ts';
import { restore } from '../../../src/service/restore.ts';
import type { RestoreDeps } from '../../../src/service/restore.ts';
import type { ShardResult, ShardTask } from '../../../src/workers/protocol.ts';
import { InProcessShards } from '../../../src/workers/shard-pool.ts';
import type { ShardBackend } from '../../../src/workers/shard-pool.ts';
import { FakeKafka, FakeSource, capturingLog } from './support/fake-kafka.ts';

const config = validateConfig({
  kafka: { brokers: ['h:1'], groupId: 'g' }, topics: { login: { topic: 'logins', format: 'avro' }, trade: { topic: 'trades', format: 'avro' } },
  output: { alerts: 'al', deadLetter: 'dl', state: 'st' }, rules: ['brute-force'],
});
const assignment = [{ topic: 'trades', partition: 0 }, { topic: 'logins', partition: 1 }, { topic: 'logins', partition: 0 }];

class CountingShards implements ShardBackend {
  readonly shards = 1;
  closed = 0;
  private readonly inner = new InProcessShards(1);
  run(shard: number, task: ShardTask): Promise<ShardResult> {
    return this.inner.run(shard, task);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

function deps(kafka: FakeKafka, cp: Checkpoint | undefined, backend: ShardBackend) {
  const { log, lines } = capturingLog();
  const source = new FakeSource(kafka);
  const d: RestoreDeps = {
    config, inputs: inputsOf(config), rules: [{ id: 'brute-force', version: 2 }], sink: kafka.sink, encodeAlert: async () => Buffer.alloc(0),
    highWatermarks: async () => new Map(), counters: createCounters(), arrivals: new ArrivalLog(), log, now: () => 7000,
    failed: () => undefined, fenced: () => undefined, committed: () => undefined, idleChanged: () => undefined,
    admin: kafka.admin, readCheckpoint: async () => cp, backend: () => backend, source, schemas: inputsOf(config).plainSchemas,
    onDeliver: () => undefined, onIngest: () => undefined,
  };
  return { d, lines, source };
}

function kafkaWith(lengths: Readonly<Record<string, number>>): FakeKafka {
  const k = new FakeKafka();
  for (const [key, n] of Object.entries(lengths)) {
    const [topic, partition] = key.split('/') as [string, string];
    for (let i = 0; i < n; i++) k.produce({ topic, partition: Number(partition) }, null, Buffer.from([i]), i);
  }
  return k;
}

const positions = (r: Awaited<ReturnType<typeof restore>>) => r?.run.table.streams.map((s) => ({ tp: `${s.tp.topic}/${s.tp.partition}`, next: s.next, dispatched: s.dispatched, committed: s.committed, committable: s.committable, hw: s.highWatermark, lastData: s.lastData }));

describe('restore', () => {
  it('starts every stream from nothing without a checkpoint: live at once', async () => {
    const backend = new CountingShards();
    const { d, lines, source } = deps(kafkaWith({ 'logins/0': 3, 'logins/1': 5, 'trades/0': 2 }), undefined, backend);
    const r = await restore(d, assignment, () => true);
    expect({ positions: positions(r), hold: r?.hold, schemasSent: r?.schemasSent, summary: r?.summary, logs: lines, consumer: source.calls, book: r?.run.committer.checkpoints }).toEqual({
      positions: [
        { tp: 'logins/0', next: 0, dispatched: 0, committed: null, committable: 0, hw: 3, lastData: 7000 },
        { tp: 'logins/1', next: 0, dispatched: 0, committed: null, committable: 0, hw: 5, lastData: 7000 },
        { tp: 'trades/0', next: 0, dispatched: 0, committed: null, committable: 0, hw: 2, lastData: 7000 },
      ],
      hold: undefined, schemasSent: 2,
      summary: { fields: { streams: 3, shards: 1, checkpoint: null, recovering: 0, fresh: 3, watermark: null }, msg: 'no checkpoint: starting with empty state; consuming' },
      logs: [], consumer: [], book: { id: 0, keys: new Set(), at: 7000, requested: 1, covered: 0 },
    });
    r?.run.begin(undefined);
    expect(source.calls).toEqual(['resume logins/0', 'resume logins/1', 'resume trades/0', 'seek logins/0 0', 'seek logins/1 0', 'seek trades/0 0']);
    await r?.run.close();
  });

  it('restores a checkpoint: re-reads up to the committed offsets, warns of changed rules and deleted records', async () => {
    const k = kafkaWith({ 'logins/0': 3, 'logins/1': 300, 'trades/0': 9 });
    k.committed.set(tpKey('logins', 1), 250n);
    k.low.set(tpKey('trades', 0), 5);
    const cp: Checkpoint = {
      manifest: {
        format: 1, group: 'g', id: 6, createdAt: '2026-12-02T00:00:00.000Z', parts: [], watermark: 900, rules: [{ id: 'brute-force', version: 1 }],
        streams: [{ topic: 'logins', partition: 1, offset: '100', maxTs: 1000, active: false }, { topic: 'trades', partition: 0, offset: '3', maxTs: 950, active: true }],
      },
      snapshots: [],
    };
    const backend = new CountingShards();
    const { d, lines, source } = deps(k, cp, backend);
    const r = await restore(d, assignment, () => true);
    const hold = r?.hold;
    expect({
      positions: positions(r), recovering: [0, 1, 2].map((i) => hold?.recovering(i)), summary: r?.summary, consumer: source.calls,
      logs: lines.map((l) => [l.level, l.msg, l.rules ?? [l.from, l.low]]), book: r?.run.committer.checkpoints, watermark: r?.run.rounds.watermark,
    }).toEqual({
      positions: [
        { tp: 'logins/0', next: 0, dispatched: 0, committed: null, committable: 0, hw: 3, lastData: 7000 },
        { tp: 'logins/1', next: 100, dispatched: 100, committed: 250, committable: 100, hw: 300, lastData: 7000 },
        { tp: 'trades/0', next: 5, dispatched: 5, committed: null, committable: 5, hw: 9, lastData: 7000 },
      ],
      recovering: [false, true, false],
      summary: { fields: { streams: 3, shards: 1, checkpoint: 6, recovering: 1, fresh: 1, watermark: 900 }, msg: 'restored the checkpoint; replaying up to the committed offsets' },
      consumer: [],
      logs: [
        [40, 'rules new or changed since the checkpoint start with empty state', ['brute-force@2']],
        [50, 'records the checkpoint needs were deleted (retention); starting at the first record left: alerts that needed them are missed', [3, 5]],
      ],
      book: { id: 6, keys: new Set(), at: 7000, requested: 0, covered: 0 },
      watermark: 900,
    });
    r?.run.begin((i) => hold?.recovering(i) ?? false);
    expect(source.calls.slice(6)).toEqual(['pause logins/0', 'pause trades/0']);
    await r?.run.close();
  });

  it('closes the shards it started and leaves the consumer alone when no longer wanted', async () => {
    const backend = new CountingShards();
    const { d, source } = deps(kafkaWith({ 'logins/0': 1 }), undefined, backend);
    let asked = 0;
    const r = await restore(d, [{ topic: 'logins', partition: 0 }], () => ++asked < 2);
    expect({ r, asked, closed: backend.closed, consumer: source.calls }).toEqual({ r: undefined, asked: 2, closed: 1, consumer: [] });
  });
});
