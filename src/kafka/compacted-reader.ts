// Reads a compacted topic as a table: every record from the beginning up to the end offsets
// taken when reading starts (after the transactional producer fenced any crashed instance,
// so no transaction is left open), read_committed, keeping the last value per key under a
// prefix (tombstones delete). Only records of committed transactions are ever seen.
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { KafkaAdmin } from './admin.ts';
import { CepError } from '../core/errors.ts';

export interface CompactedValue {
  readonly value: Buffer;
  /** The value of header `header` (empty when absent). */
  readonly header: string;
}

export interface CompactedTable {
  readonly latest: Map<string, CompactedValue>;
  /** Records read (all keys). */
  readonly records: number;
  readonly ms: number;
}

export interface CompactedReadOptions {
  /** Keys kept; others are skipped. */
  readonly prefix: string;
  /** Header whose value is kept with each record. */
  readonly header: string;
  /** Consumer group prefix for the throwaway reader group. */
  readonly group: string;
  readonly timeoutMs?: number;
}

export async function readCompacted(kafka: Kafka, topic: string, o: CompactedReadOptions): Promise<CompactedTable> {
  const { prefix, group } = o;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const admin = new KafkaAdmin(kafka);
  await admin.connect();
  let bounds: Map<string, { low: bigint; high: bigint }>;
  try {
    bounds = await admin.bounds([{ topic, partition: 0 }]);
  } finally {
    await admin.disconnect();
  }
  const todo = new Map([...bounds].filter(([, b]) => b.high > b.low).map(([k, b]) => [Number(k.split('\u0000')[1]), b.high]));
  const latest = new Map<string, CompactedValue>();
  const started = Date.now();
  if (todo.size === 0) return { latest, records: 0, ms: 0 };
  const consumer = kafka.consumer({ groupId: `${group}.state-reader.${randomUUID().slice(0, 8)}`, readUncommitted: false, maxWaitTimeInMs: 100 });
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
        if (Date.now() - started > timeoutMs) reject(new CepError('CEP_ERR_CHECKPOINT_READ', `reading ${topic} took more than ${timeoutMs} ms`));
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
              else latest.set(key, { value: m.value, header: m.headers?.[o.header]?.toString() ?? '' });
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
  return { latest, records, ms: Date.now() - started };
}
