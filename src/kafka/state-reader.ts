// Reads the latest checkpoint of a group from the state topic: every record from the
// beginning up to the end offsets taken when reading starts (after the transactional producer
// fenced any crashed instance, so no transaction is left open), read_committed, keeping the
// last value per key of this group. Only checkpoints that committed are ever seen.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { CHECKPOINT_HEADER, assembleCheckpoint } from '../service/checkpoint.ts';
import type { Checkpoint } from '../service/checkpoint.ts';
import { KafkaAdmin } from './admin.ts';

export async function readCheckpoint(kafka: Kafka, topic: string, group: string, log: Logger, timeoutMs = 120_000): Promise<Checkpoint | undefined> {
  const admin = new KafkaAdmin(kafka);
  await admin.connect();
  let bounds: Map<string, { low: bigint; high: bigint }>;
  try {
    bounds = await admin.bounds([{ topic, partition: 0 }]);
  } finally {
    await admin.disconnect();
  }
  const todo = new Map([...bounds].filter(([, b]) => b.high > b.low).map(([k, b]) => [Number(k.split('\u0000')[1]), b.high]));
  if (todo.size === 0) return undefined;
  const prefix = `${group}/`;
  const latest = new Map<string, { value: Buffer; id: string }>();
  const consumer = kafka.consumer({ groupId: `${group}.state-reader.${randomUUID().slice(0, 8)}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const started = Date.now();
  let records = 0;
  try {
    const done = new Promise<void>((resolve, reject) => {
      const reached = (partition: number, next: bigint): void => {
        const end = todo.get(partition);
        if (end !== undefined && next >= end) todo.delete(partition);
        if (todo.size === 0) resolve();
      };
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, BigInt(e.payload.lastOffset) + 1n));
      consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
      const timer = setInterval(() => {
        if (Date.now() - started > timeoutMs) reject(new Error(`CEP_ERR_CHECKPOINT_READ: reading ${topic} took more than ${timeoutMs} ms`));
      }, 500);
      timer.unref();
      void consumer.connect()
        .then(() => consumer.subscribe({ topic, fromBeginning: true }))
        .then(() => consumer.run({
          autoCommit: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
            for (const m of batch.messages) {
              records++;
              const key = m.key?.toString('utf8') ?? '';
              if (!key.startsWith(prefix)) continue;
              if (m.value === null) latest.delete(key);
              else latest.set(key, { value: m.value, id: m.headers?.[CHECKPOINT_HEADER]?.toString() ?? '' });
              resolveOffset(m.offset);
            }
            await heartbeat();
            reached(batch.partition, BigInt(batch.lastOffset()) + 1n);
          },
        }))
        .catch(reject);
    });
    await done;
  } finally {
    await consumer.disconnect();
  }
  const cp = assembleCheckpoint(group, latest);
  log.info({ topic, records, ms: Date.now() - started, checkpoint: cp?.manifest.id ?? null }, cp === undefined ? 'no checkpoint in the state topic' : 'read the latest checkpoint');
  return cp;
}
