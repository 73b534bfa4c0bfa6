// The real parts work together: a topic, an Avro schema registered in the registry,
// Confluent-framed records produced with kafkajs, consumed and decoded back unchanged.
import { readFileSync } from 'node:fs';
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { Partitioners } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';

const loginSchema = readFileSync(new URL('../../schemas/login.avsc', import.meta.url), 'utf8');

describe.skipIf(!kafkaAvailable())('Kafka + schema registry smoke', () => {
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  afterAll(() => closeAll(consumer, producer, admin));

  it('round-trips Confluent-framed Avro logins through a real broker and registry', async () => {
    const k = kafka();
    const reg = registry();
    const topic = uniqueTopic('smoke.logins');
    admin = k.admin();
    await admin.connect();
    await createTopics(admin, [topic]);

    const { id } = await reg.register({ type: SchemaType.AVRO, schema: loginSchema }, { subject: `${topic}-value` });
    const sent = Array.from({ length: 25 }, (_, i) => ({
      id: `l${i}`, ts: 1_767_571_200_000 + i, account: `A${i % 3}`, success: i % 4 !== 0,
      failureReason: i % 4 === 0 ? 'BAD_PASSWORD' : null, ip: `10.0.0.${i}`, device: `d${i % 2}`, country: 'GB', userAgent: 'ua',
    }));
    producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const values = await Promise.all(sent.map((v) => reg.encode(id, v)));
    expect(values.every((b) => b[0] === 0 && b.readInt32BE(1) === id)).toBe(true);
    await producer.send({ topic, acks: -1, messages: sent.map((v, i) => ({ key: v.account, value: values[i] as Buffer })) });

    consumer = k.consumer({ groupId: `${topic}.g` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer?.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) received.push(await reg.decode(m.value as Buffer));
          if (received.length >= sent.length) resolve();
        },
      }).catch(reject);
    });
    expect(received).toEqual(sent);
  });
});
