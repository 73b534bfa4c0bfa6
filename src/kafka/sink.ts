// The output side: one Kafka transaction per commit carries the alerts, dead letters, late
// events, checkpoint records and the consumed offsets, so a read_committed reader sees all
// of them or none. The transactional id is the same for every instance of a group: a new
// active instance fences a former one (its next commit fails, it stops).
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer } from 'kafkajs';
import { retry } from './retry.ts';

export interface OutputRecord {
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OutputBatch {
  readonly topic: string;
  readonly records: readonly OutputRecord[];
}

export interface OffsetCommit {
  readonly topic: string;
  readonly partition: number;
  /** The next offset to read. */
  readonly offset: bigint;
}

export interface TransactionalSink {
  connect(): Promise<void>;
  /** Sends everything and commits the offsets for `groupId` atomically; throws (after aborting) on failure. */
  commit(batches: readonly OutputBatch[], offsets: readonly OffsetCommit[], groupId: string): Promise<void>;
  disconnect(): Promise<void>;
}

/** Bytes per send inside a transaction (below the broker's default 1 MiB message.max.bytes). */
export const SEND_BYTES = 768 * 1024;

const sizeOf = (r: OutputRecord): number => {
  let n = 64 + (r.value?.length ?? 0) + (r.key === null ? 0 : Buffer.byteLength(r.key));
  if (r.headers !== undefined) for (const [k, v] of Object.entries(r.headers)) n += k.length + Buffer.byteLength(v) + 8;
  return n;
};

/** Groups records into sends of at most `limit` bytes (a bigger record goes alone). */
export function slices(batches: readonly OutputBatch[], limit: number): { topic: string; messages: Message[] }[][] {
  const out: { topic: string; messages: Message[] }[][] = [];
  let cur = new Map<string, Message[]>();
  let bytes = 0;
  const close = (): void => {
    if (cur.size > 0) out.push([...cur].map(([topic, messages]) => ({ topic, messages })));
    cur = new Map();
    bytes = 0;
  };
  for (const b of batches) {
    for (const r of b.records) {
      const n = sizeOf(r);
      if (bytes + n > limit && bytes > 0) close();
      const list = cur.get(b.topic) ?? [];
      list.push({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: { ...r.headers } }) });
      cur.set(b.topic, list);
      bytes += n;
    }
  }
  close();
  return out;
}

/** True when an error means another producer with our transactional id took over. */
export function isFenced(err: unknown): boolean {
  const e = err as { type?: string; name?: string; message?: string; cause?: unknown } | undefined;
  const text = `${e?.type ?? ''} ${e?.name ?? ''} ${e?.message ?? ''}`;
  return /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|fenced/i.test(text) || (e?.cause !== undefined && isFenced(e.cause));
}

export class KafkaTransactionalSink implements TransactionalSink {
  private readonly producer: Producer;

  constructor(kafka: Kafka, transactionalId: string) {
    // Back-to-back transactions hit CONCURRENT_TRANSACTIONS often (about half the time on a
    // local broker); kafkajs retries after 300 ms by default, so retry fast.
    this.producer = kafka.producer({
      transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 20 }, transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connecting initialises the transactional id: an open transaction of a crashed instance is aborted. */
  async connect(): Promise<void> {
    await this.producer.connect();
  }

  async commit(batches: readonly OutputBatch[], offsets: readonly OffsetCommit[], groupId: string): Promise<void> {
    const tx = await this.producer.transaction();
    try {
      // A partition's records travel as one record batch, which the broker refuses above
      // message.max.bytes (1 MiB by default): send in slices of bounded size.
      for (const slice of slices(batches, SEND_BYTES)) await tx.sendBatch({ topicMessages: slice, acks: -1 });
      if (offsets.length > 0) {
        const topics = Map.groupBy(offsets, (o) => o.topic);
        const payload = { consumerGroupId: groupId, topics: [...topics].map(([topic, os]) => ({ topic, partitions: os.map((o) => ({ partition: o.partition, offset: o.offset.toString() })) })) };
        // kafkajs is reported not to retry sendOffsets (its issue #430): retry it here.
        await retry(() => tx.sendOffsets(payload), { attempts: 5, baseMs: 20, maxMs: 200, retryable: (err) => !isFenced(err) });
      }
      await tx.commit();
    } catch (err) {
      try {
        await tx.abort();
      } catch {
        // the abort fails too when fenced or disconnected; the broker aborts on timeout
      }
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
