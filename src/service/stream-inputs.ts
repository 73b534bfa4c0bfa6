// Inputs beside Kafka (RabbitMQ streams), wired around the pipeline without changing it: the
// pipeline sees one InputSource, one admin and one sink, as with Kafka alone.
//
// - MixedSource: the Kafka consumer (if any topic is configured) plus the stream readers. The
//   streams belong to whoever holds the Kafka assignment (the active instance); with no Kafka
//   topic, to this instance from the start (run one instance: a second one fences the first
//   at its first commit through the shared transactional id).
// - Stream offsets cannot go through TxnOffsetCommit (no Kafka topic has the name), so each
//   commit that moves one writes the next offset of every stream as one record in the state
//   topic, in the same transaction as the alerts (key <group>/source-offsets):
//     {"format":1,"offsets":{"rabbitmq-stream:trades":"1234", ...}}
//   A restore reads it where it reads the group's committed Kafka offsets.
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { InputTopic, Inputs } from '../config/inputs.ts';
import { isRabbitStream } from '../config/sources.ts';
import { tpKey } from '../kafka/admin.ts';
import type { KafkaAdmin } from '../kafka/admin.ts';
import { readCompacted } from '../kafka/compacted-reader.ts';
import type { OffsetCommit, OutputBatch, TransactionalSink } from '../kafka/sink.ts';
import type { InputSource, SourceHandlers, TopicPartition } from '../kafka/source.ts';
import { streamReadersOf } from '../rabbitmq/readers.ts';
import type { RabbitStreamSource } from '../rabbitmq/stream-source.ts';
import { CHECKPOINT_HEADER } from './checkpoint.ts';

export const STREAM_OFFSETS_FORMAT = 1;
export const streamOffsetsKey = (group: string): string => `${group}/source-offsets`;

/** The streams' committed offsets: read at each restore, merged into each commit that moves one. */
export class StreamOffsets {
  private committed = new Map<string, bigint>();

  /** Parses the state topic's record (undefined: none yet). */
  static parse(value: Buffer | undefined): Map<string, bigint> {
    if (value === undefined) return new Map();
    const v = JSON.parse(value.toString('utf8')) as { format?: unknown; offsets?: Record<string, string> };
    if (v.format !== STREAM_OFFSETS_FORMAT || typeof v.offsets !== 'object') throw new Error(`stream offsets record of format ${String(v.format)}: this version reads ${STREAM_OFFSETS_FORMAT}`);
    return new Map(Object.entries(v.offsets).map(([t, o]) => [t, BigInt(o)]));
  }

  /** What a restore found committed. */
  set(offsets: ReadonlyMap<string, bigint>): void {
    this.committed = new Map(offsets);
  }

  get(): ReadonlyMap<string, bigint> {
    return this.committed;
  }

  /** The record of a commit moving `moved` (every stream's offset, not only the moved ones). */
  record(group: string, moved: readonly OffsetCommit[]): { next: Map<string, bigint>; value: Buffer; key: string } {
    const next = new Map(this.committed);
    for (const o of moved) next.set(o.topic, o.offset);
    const offsets = Object.fromEntries([...next].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, o]) => [t, o.toString()]));
    return { next, key: streamOffsetsKey(group), value: Buffer.from(JSON.stringify({ format: STREAM_OFFSETS_FORMAT, offsets })) };
  }
}

/** Reads the streams' committed offsets from the state topic. */
export async function readStreamOffsets(kafka: Kafka, stateTopic: string, group: string): Promise<Map<string, bigint>> {
  const table = await readCompacted(kafka, stateTopic, { prefix: streamOffsetsKey(group), header: CHECKPOINT_HEADER, group });
  return StreamOffsets.parse(table.latest.get(streamOffsetsKey(group))?.value);
}

/** The sink: Kafka offsets to TxnOffsetCommit, stream offsets as the state record, one transaction. */
export function mixedSink(inner: Pick<TransactionalSink, 'commit'>, offsets: StreamOffsets, stateTopic: string): Pick<TransactionalSink, 'commit'> {
  return {
    async commit(batches: readonly OutputBatch[], all: readonly OffsetCommit[], groupId: string, topicLimit?: (topic: string) => number): Promise<void> {
      const moved = all.filter((o) => isRabbitStream(o.topic));
      if (moved.length === 0) return inner.commit(batches, all, groupId, topicLimit);
      const r = offsets.record(groupId, moved);
      const state: OutputBatch = { topic: stateTopic, records: [{ key: r.key, value: r.value, headers: { [CHECKPOINT_HEADER]: 'source-offsets' } }] };
      await inner.commit([...batches, state], all.filter((o) => !isRabbitStream(o.topic)), groupId, topicLimit);
      offsets.set(r.next);
    },
  };
}

/** The admin: Kafka partitions asked of Kafka; streams answered from the state record and the readers. */
export function mixedAdmin(
  admin: Pick<KafkaAdmin, 'committed' | 'bounds' | 'highWatermarks'>, offsets: StreamOffsets, read: () => Promise<Map<string, bigint>>, tail: (topic: string) => Promise<number | undefined>,
): Pick<KafkaAdmin, 'committed' | 'bounds' | 'highWatermarks'> {
  const kafkaOnly = (tps: readonly TopicPartition[]): TopicPartition[] => tps.filter((tp) => !isRabbitStream(tp.topic));
  return {
    async committed(group: string, topics: readonly string[]): Promise<Map<string, bigint>> {
      const kafkaTopics = topics.filter((t) => !isRabbitStream(t));
      const out = kafkaTopics.length === 0 ? new Map<string, bigint>() : await admin.committed(group, kafkaTopics);
      const streams = await read();
      offsets.set(streams);
      for (const [t, o] of streams) if (topics.includes(t)) out.set(tpKey(t, 0), o);
      return out;
    },
    // A stream's bounds are unknown over AMQP: a fresh stream starts at offset 0 (its first
    // message RabbitMQ still has), a start before the retained ones begins at the first left.
    async bounds(tps: readonly TopicPartition[]) {
      const k = kafkaOnly(tps);
      return k.length === 0 ? new Map() : admin.bounds(k);
    },
    async highWatermarks(tps: readonly TopicPartition[]): Promise<Map<string, bigint>> {
      const k = kafkaOnly(tps);
      const out = k.length === 0 ? new Map<string, bigint>() : await admin.highWatermarks(k);
      // A stream RabbitMQ does not answer for (disconnected, stalled) is left out: it is then
      // neither idle nor read to its end, so event time never runs ahead of what it still holds.
      const streams = tps.filter((tp) => isRabbitStream(tp.topic));
      const tails = await Promise.all(streams.map((tp) => tail(tp.topic)));
      streams.forEach((tp, i) => {
        const t = tails[i];
        if (t !== undefined) out.set(tpKey(tp.topic, 0), BigInt(t));
      });
      return out;
    },
  };
}

/** What the mixed source needs of a stream reader. */
export type StreamReader = Pick<RabbitStreamSource, 'topics' | 'connect' | 'start' | 'seek' | 'pause' | 'resume' | 'unsubscribeAll' | 'stop'>;

/** The Kafka consumer (optional) and the stream readers as one InputSource. */
export class MixedSource implements InputSource {
  private readonly kafka: InputSource | undefined;
  private readonly readers: readonly StreamReader[];
  private readonly log: Logger;

  constructor(kafka: InputSource | undefined, readers: readonly StreamReader[], log: Logger) {
    this.kafka = kafka;
    this.readers = readers;
    this.log = log;
  }

  /** Connects every reader and checks its streams (before anything else starts: a refusal stops the start early). */
  async prepare(): Promise<void> {
    try {
      for (const r of this.readers) await r.connect();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Closes the readers' connections (idempotent). */
  async close(): Promise<void> {
    for (const r of this.readers) await r.stop();
  }

  private readerOf(topic: string): StreamReader | undefined {
    return this.readers.find((r) => r.topics.includes(topic));
  }

  async start(h: SourceHandlers): Promise<void> {
    const streams: TopicPartition[] = this.readers.flatMap((r) => r.topics.map((topic) => ({ topic, partition: 0 })));
    try {
      for (const r of this.readers) await r.start({ batch: h.batch, progress: h.progress, fetched: h.fetched, crashed: h.crashed });
    } catch (err) {
      // The start fails: no connection of a reader may hold the process.
      for (const r of this.readers) await r.stop();
      throw err;
    }
    const stopStreams = (): void => {
      for (const r of this.readers) r.unsubscribeAll();
    };
    if (this.kafka === undefined) {
      h.assigned(streams).catch((err: unknown) => {
        this.log.error({ err }, 'restoring the streams failed');
        h.crashed(err instanceof Error ? err : new Error(String(err)));
      });
      return;
    }
    await this.kafka.start({
      ...h,
      assigned: (tps) => {
        // The streams go with the Kafka assignment: a standby ([]) reads none.
        stopStreams();
        return h.assigned(tps.length === 0 ? [] : [...tps, ...streams]);
      },
      revoking: () => {
        stopStreams();
        h.revoking();
      },
    });
  }

  pause(tps: readonly TopicPartition[]): void {
    this.kafka?.pause(tps.filter((tp) => !isRabbitStream(tp.topic)));
    for (const tp of tps) this.readerOf(tp.topic)?.pause(tp.topic);
  }

  resume(tps: readonly TopicPartition[]): void {
    this.kafka?.resume(tps.filter((tp) => !isRabbitStream(tp.topic)));
    for (const tp of tps) this.readerOf(tp.topic)?.resume(tp.topic);
  }

  seek(tp: TopicPartition, offset: number): void {
    if (isRabbitStream(tp.topic)) this.readerOf(tp.topic)?.seek(tp.topic, offset);
    else this.kafka?.seek(tp, offset);
  }

  async stop(): Promise<void> {
    await this.kafka?.stop();
    for (const r of this.readers) await r.stop();
  }
}

/** The Kafka input topics (the others are streams of `sources:`). */
export const kafkaInputsOf = (inputs: Inputs): InputTopic[] => inputs.topics.filter((t) => !isRabbitStream(t.topic));

export interface StreamWiring<A, S> {
  readonly source: InputSource;
  readonly admin: A;
  readonly sink: S;
  /** Connects to the other sources and checks their streams (nothing without `sources:`). */
  readonly prepare: () => Promise<void>;
  /** Closes those connections (idempotent; for a start that fails later). */
  readonly close: () => Promise<void>;
}

/**
 * With `sources:` configured: the mixed source, admin and sink around Kafka's; without, Kafka's
 * own (no Kafka consumer when every kind comes from a stream).
 */
export function wireStreams<A extends Pick<KafkaAdmin, 'committed' | 'bounds' | 'highWatermarks'>, S extends Pick<TransactionalSink, 'commit'>>(
  o: { readonly config: Config; readonly kafka: Kafka; readonly kafkaSource: () => InputSource; readonly admin: A; readonly sink: S; readonly log: Logger },
): StreamWiring<A | ReturnType<typeof mixedAdmin>, S | ReturnType<typeof mixedSink>> {
  const c = o.config;
  if (c.sources.length === 0) return { source: o.kafkaSource(), admin: o.admin, sink: o.sink, prepare: async () => undefined, close: async () => undefined };
  const readers = streamReadersOf(c.sources, o.log);
  const offsets = new StreamOffsets();
  const hasKafka = Object.values(c.topics).some((t) => t !== undefined);
  const tail = async (topic: string): Promise<number | undefined> => readers.find((r) => r.topics.includes(topic))?.probeTail(topic);
  const source = new MixedSource(hasKafka ? o.kafkaSource() : undefined, readers, o.log);
  return {
    source, prepare: () => source.prepare(), close: () => source.close(),
    admin: mixedAdmin(o.admin, offsets, () => readStreamOffsets(o.kafka, c.output.state, c.kafka.groupId), tail),
    sink: mixedSink(o.sink, offsets, c.output.state),
  };
}
