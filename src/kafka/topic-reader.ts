// Reads a whole topic once, as it stands when reading starts: every partition from its first
// offset up to the end offsets taken at the start, read_committed (records of aborted
// transactions never show), through a throwaway consumer group (kafkajs cannot assign
// partitions by hand). For the state topic (checkpoints) and the dead-letter tools.
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { CepError } from '../core/errors.ts';
import { KafkaAdmin } from './admin.ts';

export interface TopicRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface ReadTopicOptions {
  /** Prefix of the throwaway consumer group's id. */
  readonly group: string;
  readonly timeoutMs?: number;
}

export interface TopicRead {
  /** Records read (every partition, in offset order within a partition). */
  readonly records: number;
  readonly ms: number;
}

const headersOf = (m: KafkaMessage): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) if (v !== undefined) out[k] = Array.isArray(v) ? String(v[0]) : v.toString();
  return out;
};

/** Calls `each` with every record of `topic`, partition by partition in offset order. */
export async function readTopic(kafka: Kafka, topic: string, o: ReadTopicOptions, each: (r: TopicRecord) => void): Promise<TopicRead> {
  const timeoutMs = o.timeoutMs ?? 120_000;
  const admin = new KafkaAdmin(kafka);
  await admin.connect();
  let bounds: Map<string, { low: bigint; high: bigint }>;
  try {
    await admin.partitionsOf([topic]);
    bounds = await admin.bounds([{ topic, partition: 0 }]);
  } finally {
    await admin.disconnect();
  }
  const todo = new Map([...bounds].filter(([, b]) => b.high > b.low).map(([k, b]) => [Number(k.split('\u0000')[1]), b.high]));
  const started = Date.now();
  if (todo.size === 0) return { records: 0, ms: 0 };
  const consumer = kafka.consumer({ groupId: `${o.group}.reader.${randomUUID().slice(0, 8)}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  let records = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const reached = (partition: number, next: bigint): void => {
        const end = todo.get(partition);
        if (end !== undefined && next >= end) todo.delete(partition);
        if (todo.size === 0) resolve();
      };
      // A batch that ends in a transaction marker reports its last offset here, past the last record.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, BigInt(e.payload.lastOffset) + 1n));
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      const timer = setInterval(() => {
        if (Date.now() - started > timeoutMs) reject(new CepError('CEP_ERR_TOPIC_READ', `reading ${topic} took more than ${timeoutMs} ms`));
      }, 500);
      timer.unref();
      void consumer.connect()
        .then(() => consumer.subscribe({ topic, fromBeginning: true }))
        .then(() => consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            const end = todo.get(batch.partition);
            for (const m of batch.messages) {
              const offset = BigInt(m.offset);
              if (end === undefined || offset >= end) break;
              records++;
              each({ partition: batch.partition, offset, timestamp: Number(m.timestamp), key: m.key, value: m.value, headers: headersOf(m) });
              resolveOffset(m.offset);
            }
            await heartbeat();
            reached(batch.partition, BigInt(batch.lastOffset()) + 1n);
          },
        }))
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return { records, ms: Date.now() - started };
}
