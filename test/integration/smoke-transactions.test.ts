// Exactly-once building blocks on the real broker: a transactional produce + sendOffsets +
// commit is seen by a read_committed consumer with the group offset moved; an aborted
// transaction's records are never seen.
import { Partitioners } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, createTopics, kafka, kafkaAvailable, uniqueTopic } from './support/kafka.ts';

async function readAll(consumer: Consumer, topic: string, expected: number, settleMs = 1500): Promise<string[]> {
  const seen: string[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  let last = Date.now();
  await consumer.run({ eachMessage: async ({ message }) => {
    seen.push(message.value?.toString() ?? '');
    last = Date.now();
  } });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !(seen.length >= expected && Date.now() - last > settleMs)) await new Promise((r) => setTimeout(r, 100));
  return seen;
}

describe.skipIf(!kafkaAvailable())('Kafka transactions smoke', () => {
  const clients: (Admin | Producer | Consumer | undefined)[] = [];
  afterAll(() => closeAll(...clients));

  it('commits output and consumed offsets atomically, and hides aborted output', async () => {
    const k = kafka();
    const input = uniqueTopic('smoke.in');
    const output = uniqueTopic('smoke.out');
    const group = `${input}.g`;
    const admin = k.admin();
    clients.push(admin);
    await admin.connect();
    await createTopics(admin, [input, output]);

    const plain = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    clients.push(plain);
    await plain.connect();
    await plain.send({ topic: input, acks: -1, messages: ['a', 'b', 'c'].map((value) => ({ value })) });

    const tx = k.producer({ createPartitioner: Partitioners.DefaultPartitioner, transactionalId: `${output}.tx`, idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 20 } });
    clients.push(tx);
    await tx.connect();

    const aborted = await tx.transaction();
    await aborted.send({ topic: output, acks: -1, messages: [{ value: 'never-1' }, { value: 'never-2' }] });
    await aborted.abort();

    const committed = await tx.transaction();
    await committed.send({ topic: output, acks: -1, messages: [{ value: 'A' }, { value: 'B' }, { value: 'C' }] });
    await committed.sendOffsets({ consumerGroupId: group, topics: [{ topic: input, partitions: [{ partition: 0, offset: '3' }] }] });
    await committed.commit();

    const reader = k.consumer({ groupId: `${output}.reader`, readUncommitted: false });
    clients.push(reader);
    await reader.connect();
    expect(await readAll(reader, output, 3)).toEqual(['A', 'B', 'C']);

    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    expect(offsets).toEqual([{ topic: input, partitions: [{ partition: 0, offset: '3', metadata: null }] }]);
  });
});
