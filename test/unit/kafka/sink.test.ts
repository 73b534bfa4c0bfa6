// One transaction may carry megabytes (a checkpoint, a burst of dead letters); each send
// stays under the broker's default message.max.bytes, in order, with nothing lost.
import { describe, expect, it } from 'vitest';
import { SEND_BYTES, isFenced, slices } from '../../../src/kafka/sink.ts';

describe('transactional sink', () => {
  it('splits records into bounded sends, keeping their order per topic, a big record alone', () => {
    const small = (i: number) => ({ key: `k${i}`, value: Buffer.alloc(200_000, i) });
    const batches = [
      { topic: 'a', records: [small(1), small(2), small(3), small(4)] },
      { topic: 'state', records: [{ key: 'big', value: Buffer.alloc(SEND_BYTES + 10) }, { key: 'm', value: Buffer.from('x'), headers: { h: 'v' } }] },
    ];
    const sends = slices(batches, SEND_BYTES);
    expect(sends.map((s) => s.map((t) => [t.topic, t.messages.map((m) => m.key)]))).toEqual([
      [['a', ['k1', 'k2', 'k3']]],
      [['a', ['k4']]],
      [['state', ['big']]],
      [['state', ['m']]],
    ]);
    expect(sends[3]?.[0]?.messages[0]?.headers).toEqual({ h: 'v' });
  });

  it('recognises being fenced by a newer producer with the same transactional id', () => {
    expect([
      isFenced({ type: 'INVALID_PRODUCER_EPOCH', message: 'x' }),
      isFenced({ name: 'KafkaJSError', message: 'wrapped', cause: { type: 'PRODUCER_FENCED' } }),
      isFenced(new Error('CONCURRENT_TRANSACTIONS')),
    ]).toEqual([true, true, false]);
  });
});
