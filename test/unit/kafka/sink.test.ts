// One transaction may carry megabytes (a checkpoint, a burst of dead letters); each send
// stays under the broker's default message.max.bytes and each topic's share of a send under
// that topic's max.message.bytes, in order, with nothing lost. A failed commit says where it
// failed and what the failing send carried; one whose abort failed too (kafkajs's transaction
// state stuck) makes the next commit start on a new producer.
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BATCH_OVERHEAD, CommitError, KafkaTransactionalSink, SEND_BYTES, fitsAlone, isFenced, recordBytes, slices } from '../../../src/kafka/sink.ts';
import type { TopicSlice } from '../../../src/kafka/sink.ts';

const keys = (sends: TopicSlice[][]): [string, unknown[]][][] => sends.map((s) => s.map((t) => [t.topic, t.records.map((r) => r.key)]));

describe('transactional sink', () => {
  it('splits records into bounded sends, keeping their order per topic, a big record alone', () => {
    const small = (i: number) => ({ key: `k${i}`, value: Buffer.alloc(200_000, i) });
    const batches = [
      { topic: 'a', records: [small(1), small(2), small(3), small(4)] },
      { topic: 'state', records: [{ key: 'big', value: Buffer.alloc(SEND_BYTES + 10) }, { key: 'm', value: Buffer.from('x'), headers: { h: 'v' } }] },
    ];
    const sends = slices(batches, SEND_BYTES);
    expect(keys(sends)).toEqual([
      [['a', ['k1', 'k2', 'k3']]],
      [['a', ['k4']]],
      [['state', ['big']]],
      [['state', ['m']]],
    ]);
    expect(sends[3]?.[0]?.records[0]?.headers).toEqual({ h: 'v' });
  });

  it("keeps each topic's share of a send under its max.message.bytes, other topics filling the send", () => {
    const rec = (topic: string, i: number) => ({ key: `${topic}${i}`, value: Buffer.alloc(30_000) });
    const batches = [
      { topic: 'dlq', records: [0, 1, 2, 3, 4].map((i) => rec('d', i)) },
      { topic: 'alerts', records: [0, 1].map((i) => rec('a', i)) },
    ];
    // dlq takes 64 KiB per batch: two of these records at a time
    expect(keys(slices(batches, SEND_BYTES, (t) => (t === 'dlq' ? 65_536 : 1_048_588)))).toEqual([
      [['dlq', ['d0', 'd1']]],
      [['dlq', ['d2', 'd3']]],
      [['dlq', ['d4']], ['alerts', ['a0', 'a1']]],
    ]);
  });

  it('bounds a record\'s size in a batch from above, headers included', () => {
    const r = { key: 'k1', value: Buffer.alloc(1000), headers: { 'cepheus.error.code': 'X', h: 'é' } };
    const n = 40 + 1000 + 2 + (18 + 1 + 10) + (1 + 2 + 10);
    expect([recordBytes(r), recordBytes({ key: null, value: null }), fitsAlone(r, n + BATCH_OVERHEAD), fitsAlone(r, n + BATCH_OVERHEAD - 1)]).toEqual([n, 40, true, false]);
  });

  it('recognises being fenced by a newer producer with the same transactional id', () => {
    expect([
      isFenced({ type: 'INVALID_PRODUCER_EPOCH', message: 'x' }),
      isFenced({ name: 'KafkaJSError', message: 'wrapped', cause: { type: 'PRODUCER_FENCED' } }),
      isFenced(new CommitError('send', [], Object.assign(new Error('The producer has been fenced'), { type: 'PRODUCER_FENCED' }))),
      isFenced(new Error('CONCURRENT_TRANSACTIONS')),
    ]).toEqual([true, true, true, false]);
  });
});

/** A kafkajs client whose producers record what they are asked, and fail as told. */
function fakeKafka(script: { sendFails: Error[]; abortFails: boolean[] }) {
  const log: string[] = [];
  let made = 0;
  const kafka = {
    producer: () => {
      const id = ++made;
      return {
        connect: async () => {
          log.push(`p${id} connect`);
        },
        disconnect: async () => {
          log.push(`p${id} disconnect`);
        },
        transaction: async () => ({
          sendBatch: async (b: { topicMessages: { topic: string; messages: unknown[] }[] }) => {
            const fail = script.sendFails.shift();
            log.push(`p${id} send ${b.topicMessages.map((t) => `${t.topic}:${t.messages.length}`).join(',')}${fail === undefined ? '' : ' (fails)'}`);
            if (fail !== undefined) throw fail;
          },
          sendOffsets: async () => {
            log.push(`p${id} offsets`);
          },
          commit: async () => {
            log.push(`p${id} commit`);
          },
          abort: async () => {
            const fails = script.abortFails.shift() ?? false;
            log.push(`p${id} abort${fails ? ' (fails)' : ''}`);
            if (fails) throw new Error('Connection error: connect ECONNREFUSED');
          },
        }),
      };
    },
  };
  return { kafka: kafka as unknown as Kafka, log };
}

describe('KafkaTransactionalSink', () => {
  const batches = [{ topic: 'alerts', records: [{ key: 'k', value: Buffer.from('v') }] }];
  const offsets = [{ topic: 'in', partition: 0, offset: 5n }];

  it('reports where a commit failed and what the send carried; a failed abort makes the next commit start on a new producer', async () => {
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
    const down = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9');
    const { kafka, log } = fakeKafka({ sendFails: [tooLarge, down], abortFails: [false, true] });
    const sink = new KafkaTransactionalSink(kafka, 'cepheus-g');
    await sink.connect();
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) await sink.commit(batches, offsets, 'g').catch((e: unknown) => errors.push(e));
    expect(errors.map((e) => (e instanceof CommitError ? [e.step, e.message, e.sent.map((t) => [t.topic, t.records.length]), (e.cause as Error).message] : e))).toEqual([
      ['send', `sending records failed: ${tooLarge.message}`, [['alerts', 1]], tooLarge.message],
      ['send', `sending records failed: ${down.message}`, [['alerts', 1]], down.message],
    ]);
    expect(log).toEqual([
      'p1 connect',
      'p1 send alerts:1 (fails)', 'p1 abort', // aborted: the same producer goes on
      'p1 send alerts:1 (fails)', 'p1 abort (fails)', // stuck: the next commit starts anew
      'p1 disconnect', 'p2 connect', 'p2 send alerts:1', 'p2 offsets', 'p2 commit',
    ]);
  });
});
