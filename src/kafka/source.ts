// The input side, behind our own interface: a consumer group over the input topics, batch by
// batch (never one await per message), read_committed, offsets never committed by the
// consumer: they commit inside the output transaction (sink.ts). kafkajs resets its fetch
// positions to the committed offsets on every rebalance, so `assigned` is the moment the
// pipeline restores its state from the last checkpoint; fetching waits until it is done.
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { singleActiveAssigner } from './assigner.ts';
import { CepError } from '../core/errors.ts';
import { transientCrash } from './kafka-errors.ts';
import { startAgainAfterOutage } from './restart.ts';

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/**
 * One record. Offsets are numbers on this side of the interface: a BigInt per record would
 * cost an allocation on the hot path, and a partition would need 2^53 records to overflow
 * (the source fails loudly before that). Commits and seeks convert at the edge.
 */
export interface InputMessage {
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Kafka record timestamp, ms. */
  readonly timestamp: number;
}

export interface InputBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly InputMessage[];
  /** Offset after the last record the broker has for the partition. */
  readonly highWatermark: number;
}

export interface SourceHandlers {
  /** The group (re)assigned partitions ([] = standby). Fetching waits until this resolves. */
  assigned(partitions: readonly TopicPartition[]): Promise<void>;
  /** A rebalance started: the current assignment is about to be revoked. */
  revoking(): void;
  /** New records of one partition. Resolves when they are taken (backpressure: it may wait). */
  batch(b: InputBatch): Promise<void>;
  /** The broker's high watermark of a partition, from the last batch read from it. */
  progress(tp: TopicPartition, highWatermark: number): void;
  /** The broker answered a fetch of the consumer (with or without records): it is alive and reading. */
  fetched(): void;
  /** The consumer stopped on an error it will not retry. */
  crashed(err: Error): void;
}

export interface InputSource {
  start(h: SourceHandlers): Promise<void>;
  pause(tps: readonly TopicPartition[]): void;
  resume(tps: readonly TopicPartition[]): void;
  /** Next fetch of the partition starts at `offset` (batches fetched before are dropped). */
  seek(tp: TopicPartition, offset: number): void;
  stop(): Promise<void>;
}

export interface KafkaSourceOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly fromBeginning: boolean;
  /** Wall ms this instance started: the longest-running member is the active one. */
  readonly startedAt: number;
  readonly instance: string;
  readonly log: Logger;
}

const group = (tps: readonly TopicPartition[]): { topic: string; partitions: number[] }[] =>
  [...Map.groupBy(tps, (tp) => tp.topic)].map(([topic, list]) => ({ topic, partitions: list.map((tp) => tp.partition) }));

export class KafkaSource implements InputSource {
  private readonly kafka: Kafka;
  private readonly o: KafkaSourceOptions;
  private consumer: Consumer | undefined;
  private gate: Promise<void> = Promise.resolve();
  private stopped = false;
  /** The group was joined once: its ACLs are in place, so a lost coordinator is an outage. */
  private joined = false;

  constructor(kafka: Kafka, o: KafkaSourceOptions) {
    this.kafka = kafka;
    this.o = o;
  }

  async start(h: SourceHandlers): Promise<void> {
    const o = this.o;
    const consumer = this.kafka.consumer({
      groupId: o.groupId, readUncommitted: false, sessionTimeout: o.sessionTimeoutMs, heartbeatInterval: Math.max(500, Math.floor(o.sessionTimeoutMs / 5)),
      rebalanceTimeout: Math.max(30_000, o.sessionTimeoutMs * 2), maxWaitTimeInMs: 100,
      partitionAssigners: [singleActiveAssigner(o.startedAt, o.instance)],
    });
    this.consumer = consumer;
    const ev = consumer.events;
    consumer.on(ev.GROUP_JOIN, (e) => {
      this.joined = true;
      const assignment = e.payload.memberAssignment as Record<string, number[]>;
      const tps = Object.entries(assignment).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
      this.gate = h.assigned(tps).catch((err: unknown) => {
        o.log.error({ err }, 'restoring after the assignment failed');
        h.crashed(err instanceof Error ? err : new Error(String(err)));
      });
    });
    consumer.on(ev.REBALANCING, () => h.revoking());
    consumer.on(ev.END_BATCH_PROCESS, (e) => {
      const p = e.payload;
      h.progress({ topic: p.topic, partition: p.partition }, Number(p.highWatermark));
    });
    // A Fetch the broker answered, not kafkajs's FETCH event: that one also fires when kafkajs
    // sent nothing (every partition paused: it sleeps maxWaitTime) and after a fetch that failed
    // on a closed connection, so during an outage it kept saying the broker answered.
    consumer.on(ev.REQUEST, (e) => {
      if (e.payload.apiName === 'Fetch') h.fetched();
    });
    consumer.on(ev.CRASH, (e) => {
      if (e.payload.restart || consumer !== this.consumer || this.stopped) return;
      // A broker shutting down answers FindCoordinator with "not available" until kafkajs gives
      // up ("Failed to find group coordinator", not retried by kafkajs): an outage, not a refusal
      // (a missing group ACL shows before the first join, and stays fatal). Start a new consumer
      // once the broker is back.
      if (this.joined && transientCrash(e.payload.error)) {
        o.log.warn({ err: e.payload.error }, 'the consumer stopped on a broker it could not reach; starting it again');
        void this.startAgain(h);
        return;
      }
      h.crashed(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...o.topics], fromBeginning: o.fromBeginning });
    await consumer.run({
      autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isStale, isRunning }: EachBatchPayload) => {
        await this.waitForGate(heartbeat);
        if (isStale() || !isRunning() || batch.messages.length === 0) return;
        const hw = Number(batch.highWatermark);
        if (!Number.isSafeInteger(hw)) throw new CepError('CEP_ERR_OFFSET_RANGE', `${batch.topic}/${batch.partition} is past offset 2^53`);
        const messages = new Array<InputMessage>(batch.messages.length);
        for (let i = 0; i < messages.length; i++) {
          const m = batch.messages[i] as (typeof batch.messages)[number];
          messages[i] = { offset: Number(m.offset), key: m.key ?? null, value: m.value ?? null, timestamp: Number(m.timestamp) };
        }
        await this.heartbeatWhile(h.batch({ topic: batch.topic, partition: batch.partition, highWatermark: hw, messages }), heartbeat);
        resolveOffset(batch.lastOffset());
        await heartbeat();
      },
    });
  }

  /**
   * Waits for the restore of the last assignment, heartbeating meanwhile: a restore longer than
   * the session timeout (a busy machine, a large state) must not get the member kicked out of
   * the group, or every rejoin starts another restore and the member never consumes.
   */
  private async waitForGate(heartbeat: () => Promise<void>): Promise<void> {
    const gate = this.gate;
    let done = false;
    void gate.finally(() => {
      done = true;
    });
    const every = Math.max(300, Math.floor(this.o.sessionTimeoutMs / 5));
    while (!done) {
      await Promise.race([gate, new Promise((r) => setTimeout(r, every))]);
      if (!done) await heartbeat();
    }
  }

  /**
   * Waits for a batch to be taken (the pipeline's backpressure can hold it for long under a
   * flood), heartbeating meanwhile: kafkajs heartbeats only between batches, so a wait longer
   * than the session timeout got the member kicked out and the rejoin restored the checkpoint.
   * A heartbeat that fails (a rebalance) is thrown once the batch is taken, never while the
   * pipeline may still take it.
   */
  private async heartbeatWhile(taken: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
    let done = false;
    const settled = taken.then(() => {
      done = true;
    }, () => {
      done = true;
    });
    const every = Math.max(300, Math.floor(this.o.sessionTimeoutMs / 5));
    let failed: { readonly err: unknown } | undefined;
    while (!done) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise((r) => {
        timer = setTimeout(r, every);
      })]);
      clearTimeout(timer);
      if (!done && failed === undefined) {
        await heartbeat().catch((err: unknown) => {
          failed = { err };
        });
      }
    }
    await taken;
    if (failed !== undefined) throw failed.err;
  }

  pause(tps: readonly TopicPartition[]): void {
    if (tps.length > 0) this.consumer?.pause(group(tps));
  }

  resume(tps: readonly TopicPartition[]): void {
    if (tps.length > 0) this.consumer?.resume(group(tps));
  }

  seek(tp: TopicPartition, offset: number): void {
    this.consumer?.seek({ topic: tp.topic, partition: tp.partition, offset: offset.toString() });
  }

  /** Starts a new consumer after one stopped on an unreachable broker (restart.ts). */
  private startAgain(h: SourceHandlers): Promise<void> {
    return startAgainAfterOutage(() => this.stopped, () => this.start(h), (err) => h.crashed(err));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer?.disconnect();
  }
}
