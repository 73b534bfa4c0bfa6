// The output side: one Kafka transaction per commit carries the alerts, dead letters, late
// events, checkpoint records and the consumed offsets, so a read_committed reader sees all
// of them or none. The transactional id is the same for every instance of a group: a new
// active instance fences a former one (its next commit fails, it stops).
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer, Transaction } from 'kafkajs';
import { retry } from './retry.ts';
import { authorizationFailure } from './kafka-errors.ts';

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
  /**
   * Sends everything and commits the offsets for `groupId` atomically; throws a CommitError
   * (after aborting) on failure. `topicLimit`: each topic's max.message.bytes (sends stay under it).
   */
  commit(batches: readonly OutputBatch[], offsets: readonly OffsetCommit[], groupId: string, topicLimit?: (topic: string) => number): Promise<void>;
  disconnect(): Promise<void>;
}

/** Bytes per send inside a transaction (below the broker's default 1 MiB message.max.bytes). */
export const SEND_BYTES = 768 * 1024;

/** Bytes a record batch (v2) adds around its records: max.message.bytes bounds the whole batch. */
export const BATCH_OVERHEAD = 61;

/** An upper bound of a record's size inside a batch (every varint at its longest). */
export function recordBytes(r: OutputRecord): number {
  let n = 40 + (r.value?.length ?? 0) + (r.key === null ? 0 : Buffer.byteLength(r.key));
  if (r.headers !== undefined) for (const [k, v] of Object.entries(r.headers)) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 10;
  return n;
}

/** Whether a record, alone in a batch, fits a topic whose max.message.bytes is `limit`. */
export const fitsAlone = (r: OutputRecord, limit: number): boolean => recordBytes(r) + BATCH_OVERHEAD <= limit;

/** The records of one topic in one send. */
export interface TopicSlice {
  readonly topic: string;
  readonly records: OutputRecord[];
}

/**
 * Groups records into sends of at most `limit` bytes, and at most `topicLimit(topic)` bytes of
 * one topic (its max.message.bytes: a partition's records of a send travel as one batch). A
 * record bigger than either goes alone.
 */
export function slices(batches: readonly OutputBatch[], limit: number, topicLimit: (topic: string) => number = () => Infinity): TopicSlice[][] {
  const out: TopicSlice[][] = [];
  let cur = new Map<string, { records: OutputRecord[]; bytes: number }>();
  let bytes = 0;
  const close = (): void => {
    if (cur.size > 0) out.push([...cur].map(([topic, t]) => ({ topic, records: t.records })));
    cur = new Map();
    bytes = 0;
  };
  for (const b of batches) {
    const budget = topicLimit(b.topic) - BATCH_OVERHEAD;
    for (const r of b.records) {
      const n = recordBytes(r);
      const t = cur.get(b.topic);
      if ((bytes + n > limit && bytes > 0) || (t !== undefined && t.bytes + n > budget)) close();
      const now = cur.get(b.topic) ?? { records: [], bytes: 0 };
      now.records.push(r);
      now.bytes += n;
      cur.set(b.topic, now);
      bytes += n;
    }
  }
  close();
  return out;
}

const messagesOf = (records: readonly OutputRecord[]): Message[] =>
  records.map((r) => ({ key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: { ...r.headers } }) }));

/** Where a commit failed: starting the transaction, a send (with what it carried), the offsets, or its end. */
export type CommitStep = 'begin' | 'send' | 'offsets' | 'end';

/** A failed commit, after the abort: where it failed and, for a send, the records of that send. */
export class CommitError extends Error {
  readonly step: CommitStep;
  readonly sent: readonly TopicSlice[];
  constructor(step: CommitStep, sent: readonly TopicSlice[], cause: unknown) {
    super(`${step === 'send' ? 'sending records' : step === 'offsets' ? 'adding the offsets' : step === 'end' ? 'committing the transaction' : 'starting the transaction'} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'CommitError';
    this.step = step;
    this.sent = sent;
  }
}

/** True when an error means another producer with our transactional id took over. */
export function isFenced(err: unknown): boolean {
  const e = err as { type?: string; name?: string; message?: string; cause?: unknown } | undefined;
  const text = `${e?.type ?? ''} ${e?.name ?? ''} ${e?.message ?? ''}`;
  return /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED|fenced/i.test(text) || (e?.cause !== undefined && isFenced(e.cause));
}

export class KafkaTransactionalSink implements TransactionalSink {
  private readonly kafka: Kafka;
  private readonly transactionalId: string;
  private producer: Producer;
  /** A commit failed and its abort too: kafkajs's transaction state is stuck, the next commit starts a new producer. */
  private stale = false;

  constructor(kafka: Kafka, transactionalId: string) {
    this.kafka = kafka;
    this.transactionalId = transactionalId;
    this.producer = this.create();
  }

  private create(): Producer {
    // Back-to-back transactions hit CONCURRENT_TRANSACTIONS often (about half the time on a
    // local broker); kafkajs retries after 300 ms by default, so retry fast.
    return this.kafka.producer({
      transactionalId: this.transactionalId, idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 20 }, transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  /** Connecting initialises the transactional id: an open transaction of a crashed instance is aborted. */
  async connect(): Promise<void> {
    await this.producer.connect();
  }

  /**
   * Whether the brokers let this producer write `topic` in a transaction: one record with an
   * empty value (key cepheus.acl-probe) in a transaction that is always aborted, so no
   * read_committed reader ever sees it. Only after a refused commit, to name the topic.
   */
  async mayWrite(topic: string): Promise<boolean> {
    const tx = await this.producer.transaction();
    try {
      await tx.send({ topic, messages: [{ key: 'cepheus.acl-probe', value: null }], acks: -1 });
      return true;
    } catch (err) {
      if (authorizationFailure(err) !== undefined) return false;
      throw err;
    } finally {
      await tx.abort().catch(() => {
        this.stale = true;
      });
    }
  }

  async commit(batches: readonly OutputBatch[], offsets: readonly OffsetCommit[], groupId: string, topicLimit?: (topic: string) => number): Promise<void> {
    if (this.stale) {
      // After an outage kafkajs's transaction state may be stuck (an abort that never reached
      // the broker): a new producer with the same transactional id starts clean, and the
      // broker aborts what the old one left open when it initialises.
      await this.producer.disconnect().catch(() => undefined);
      this.producer = this.create();
      await this.producer.connect();
      this.stale = false;
    }
    let step: CommitStep = 'begin';
    let sent: readonly TopicSlice[] = [];
    let tx: Transaction | undefined;
    try {
      tx = await this.producer.transaction();
      // A partition's records travel as one record batch, which the broker refuses above the
      // topic's max.message.bytes: send in slices of bounded size.
      step = 'send';
      for (const slice of slices(batches, SEND_BYTES, topicLimit)) {
        sent = slice;
        await tx.sendBatch({ topicMessages: slice.map((t) => ({ topic: t.topic, messages: messagesOf(t.records) })), acks: -1 });
      }
      sent = [];
      step = 'offsets';
      if (offsets.length > 0) {
        const topics = Map.groupBy(offsets, (o) => o.topic);
        const payload = { consumerGroupId: groupId, topics: [...topics].map(([topic, os]) => ({ topic, partitions: os.map((o) => ({ partition: o.partition, offset: o.offset.toString() })) })) };
        // kafkajs is reported not to retry sendOffsets (its issue #430): retry it here.
        const t = tx;
        await retry(() => t.sendOffsets(payload), { attempts: 5, baseMs: 20, maxMs: 200, retryable: (err) => !isFenced(err) });
      }
      step = 'end';
      await tx.commit();
    } catch (err) {
      let aborted = false;
      if (tx !== undefined && step !== 'end') {
        try {
          await tx.abort();
          aborted = true;
        } catch {
          // the abort fails too when fenced or disconnected; the broker aborts on timeout
        }
      }
      this.stale = !aborted && !isFenced(err);
      throw new CommitError(step, sent, err);
    }
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}
