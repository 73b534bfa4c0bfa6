// A run: its parts report failures and idle changes with the run itself (so the facade can
// tell a current run from a stale one), and once retired it applies nothing: no consumer
// pause or resume, no round, no transaction; closing it waits for its commit and stops its
// shards.
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { inputsOf } from '../../../src/config/inputs.ts';
import { ArrivalLog } from '../../../src/service/arrivals.ts';
import { createCounters } from '../../../src/service/counters.ts';
import { restore } from '../../../src/service/restore.ts';
import type { Run } from '../../../src/service/run.ts';
import type { ShardResult, ShardTask } from '../../../src/workers/protocol.ts';
import { InProcessShards } from '../../../src/workers/shard-pool.ts';
import type { ShardBackend } from '../../../src/workers/shard-pool.ts';
import { FakeKafka, FakeSource, capturingLog } from './support/fake-kafka.ts';

const config = validateConfig({ kafka: { brokers: ['h:1'], groupId: 'g' }, topics: { login: { topic: 'logins', format: 'avro' } }, output: { alerts: 'al', deadLetter: 'dl', state: 'st' }, rules: ['brute-force'] });

/** In-process shards that fail every ingest when `failing`, and count closes. */
class Shards implements ShardBackend {
  readonly shards = 1;
  failing = false;
  closed = 0;
  private readonly inner = new InProcessShards(1);
  run(shard: number, task: ShardTask): Promise<ShardResult> {
    if (this.failing && (task.op === 'ingest' || task.op === 'round')) return Promise.reject(new Error('shard 0 died'));
    return this.inner.run(shard, task);
  }
  async close(): Promise<void> {
    this.closed++;
  }
}

async function open() {
  const kafka = new FakeKafka();
  for (let i = 0; i < 4; i++) kafka.produce({ topic: 'logins', partition: 0 }, null, Buffer.from([i]), i);
  const source = new FakeSource(kafka);
  const backend = new Shards();
  const reports: [string, Run, unknown][] = [];
  const { log } = capturingLog();
  const counters = createCounters();
  const r = await restore({
    config, inputs: inputsOf(config), rules: [{ id: 'brute-force', version: 2 }], sink: kafka.sink, encodeAlert: async () => Buffer.alloc(0),
    highWatermarks: async () => new Map([[0, 4]]), counters, arrivals: new ArrivalLog(), log, now: () => 100_000, defer: () => undefined,
    failed: (run, err) => reports.push(['failed', run, (err as Error).message]), fenced: () => undefined, committed: () => undefined,
    idleChanged: (run, flushedTo) => reports.push(['idle', run, flushedTo]),
    admin: kafka.admin, readCheckpoint: async () => undefined, backend: () => backend, source, schemas: inputsOf(config).plainSchemas,
    onDeliver: () => undefined, onIngest: () => undefined,
  }, [{ topic: 'logins', partition: 0 }], () => true);
  if (r === undefined) throw new Error('not restored');
  r.run.begin(undefined);
  const stream = r.run.table.streams[0];
  if (stream === undefined) throw new Error('no stream');
  return { run: r.run, kafka, source, backend, reports, counters, stream };
}

describe('run', () => {
  it('reports its failures and idle changes with itself', async () => {
    const t = await open();
    t.backend.failing = true;
    t.stream.pending = t.kafka.partition({ topic: 'logins', partition: 0 }).slice(0, 4);
    t.stream.next = 4;
    await t.run.dispatcher.dispatch();
    await new Promise((resolve) => setImmediate(resolve));
    await t.run.dispatcher.dispatch(true); // the failed round fails the rounds after it
    await t.run.idle.check(200_000, 200_000, () => true);
    expect(t.reports.map(([what, run, x]) => [what, run === t.run, x])).toEqual([['failed', true, 'shard 0 died'], ['idle', true, undefined]]);
    await t.run.close();
  });

  it('once retired, applies nothing; closing waits for its commit and stops the shards', async () => {
    const t = await open();
    t.run.retire();
    t.stream.pending = t.kafka.partition({ topic: 'logins', partition: 0 }).slice(0, 2);
    t.run.table.pauseAll('stopping');
    await t.run.dispatcher.dispatch(true);
    await t.run.committer.commit(true);
    await t.run.close();
    expect({
      retired: t.run.retired, consumer: t.source.calls, rounds: t.counters.rounds, pending: t.stream.pending.length, transactions: t.kafka.transactions, closed: t.backend.closed,
    }).toEqual({ retired: true, consumer: ['resume logins/0', 'seek logins/0 0'], rounds: 0, pending: 2, transactions: 0, closed: 1 });
  });
});
