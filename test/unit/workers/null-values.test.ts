// A tombstone (null value) and an empty value are different records, and a dead letter carries
// the one it got: from the consumer's records through a round (packed, sent to the shards,
// decoded, rejected) to the dead-letter records of the commit, with one shard (one task per
// round) and with two (ingest and deliver), in-process and in a worker thread.
import { afterAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../../../src/config/config.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { commitRecords } from '../../../src/service/outputs.ts';
import { takeRound } from '../../../src/service/dispatch.ts';
import { startStream } from '../../../src/service/stream-table.ts';
import { login } from '../../../src/testing.ts';
import { Rounds } from '../../../src/workers/rounds.ts';
import { InProcessShards, WorkerShards } from '../../../src/workers/shard-pool.ts';
import type { ShardBackend } from '../../../src/workers/shard-pool.ts';

const open: Rounds[] = [];
afterAll(async () => {
  await Promise.all(open.map((r) => r.close()));
});

const output = validateConfig({ kafka: { brokers: ['h:1'] }, topics: { login: 'in' }, output: { alerts: 'al', deadLetter: 'dl', state: 'st' } }).output;
const good = encodeConfluentValue(login('nv-1', Date.parse('2026-01-05T00:00:00Z'), { account: 'NV1' }), 1);

async function deadLettersThrough(backend: ShardBackend): Promise<{ key: string | null; value: string | null; code: string | undefined; offset: string | undefined }[]> {
  const rounds = await Rounds.start({
    backend, maxInFlight: 2,
    init: {
      rules: [], engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['in', EVENT_KINDS]],
      streams: [{ topic: 'in', partition: 0, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true }],
      schemas: EVENT_KINDS.map((kind, i) => ({ id: i + 1, schema: null, kind })), restore: [],
    },
  });
  open.push(rounds);
  // As the consumer delivers them: a tombstone, an empty value, a good event, an empty value without a key.
  const stream = startStream(0, { topic: 'in', partition: 0 }, 'confluent', 10, null, 14, 0);
  stream.pending = [
    { offset: 10, key: Buffer.from('T'), value: null, timestamp: 1 },
    { offset: 11, key: Buffer.from('E'), value: Buffer.alloc(0), timestamp: 2 },
    { offset: 12, key: Buffer.from('NV1'), value: good, timestamp: 3 },
    { offset: 13, key: null, value: Buffer.alloc(0), timestamp: 4 },
  ];
  const round = takeRound([stream]);
  await rounds.submit(round.parts);
  await rounds.barrier();
  const out = rounds.take().output;
  const records = await commitRecords(out, () => ({ topic: 'in', partition: 0 }), output, async () => Buffer.alloc(0), undefined);
  const dl = records.batches.find((b) => b.topic === 'dl')?.records ?? [];
  return dl.map((r) => ({
    key: r.key === null ? null : r.key.toString(), value: r.value === null ? null : r.value.toString('hex'), code: r.headers?.['cepheus.error.code'], offset: r.headers?.['cepheus.source.offset'],
  }));
}

const EXPECTED = [
  { key: 'T', value: null, code: 'CEP_ERR_INPUT_EMPTY', offset: '10' },
  { key: 'E', value: '', code: 'CEP_ERR_INPUT_EMPTY', offset: '11' },
  { key: null, value: '', code: 'CEP_ERR_INPUT_EMPTY', offset: '13' },
];

describe('null and empty values', () => {
  it('dead-letter a tombstone as null and an empty value as empty, with one shard or two', async () => {
    expect([await deadLettersThrough(new InProcessShards(1)), await deadLettersThrough(new InProcessShards(2))]).toEqual([EXPECTED, EXPECTED]);
  });

  it('and the same through a worker thread (the packed records cross a structured clone)', async () => {
    expect(await deadLettersThrough(new WorkerShards(1))).toEqual(EXPECTED);
  }, 30_000);
});
