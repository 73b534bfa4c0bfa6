// Topic and offset queries the service needs at start and while running: that input topics
// exist (and their partitions), that internal and output topics exist (created when missing),
// topics' record size limits, the committed offsets of the group, and partition high
// watermarks (idle detection).
import type { Admin, ConfigResourceTypes, ITopicConfig, Kafka } from 'kafkajs';
import { CepError } from '../core/errors.ts';
import { authorizationFailure } from './kafka-errors.ts';
import type { TopicPartition } from './source.ts';

export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config?: Readonly<Record<string, string>>;
}

export const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/** kafkajs's ConfigResourceTypes.TOPIC (its enum is not a named export Node's ESM loader finds in the CommonJS build). */
const TOPIC_RESOURCE = 2 as ConfigResourceTypes;

export class KafkaAdmin {
  private readonly admin: Admin;

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  /** Partitions of each topic; throws CEP_ERR_KAFKA_TOPIC_MISSING naming every missing one. */
  async partitionsOf(topics: readonly string[]): Promise<Map<string, number[]>> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    // A topic the principal may not describe is left out of the list as if it did not exist:
    // its own metadata says which (refused at once; a missing one answers after retries).
    for (const t of missing) await this.probeTopic(t);
    if (missing.length > 0) {
      throw new CepError('CEP_ERR_KAFKA_TOPIC_MISSING', `input topic(s) missing on the cluster: ${missing.join(', ')}`,
        ['create them (kafka-topics.sh --create ...), or fix the names under `topics:` in the config']);
    }
    const md = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    return new Map(md.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionId).sort((a, b) => a - b)]));
  }

  /** Resolves when the topic's metadata is readable, missing or `ms` passed; throws when the broker refuses it (an ACL). */
  async probeTopic(topic: string, ms = 2000): Promise<void> {
    const md = this.admin.fetchTopicMetadata({ topics: [topic] });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([md, new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      })]);
    } catch (err) {
      // A missing topic answers UNKNOWN_TOPIC_OR_PARTITION: only a refusal is news.
      if (authorizationFailure(err) !== undefined) throw err;
    } finally {
      clearTimeout(timer);
      md.catch(() => undefined);
    }
  }

  /** Creates the topics that do not exist yet; returns the ones it created. */
  async ensureTopics(specs: readonly TopicSpec[]): Promise<string[]> {
    const existing = new Set(await this.admin.listTopics());
    const todo = specs.filter((s, i) => !existing.has(s.topic) && specs.findIndex((x) => x.topic === s.topic) === i);
    if (todo.length === 0) return [];
    const topics: ITopicConfig[] = todo.map((s) => ({
      topic: s.topic, numPartitions: s.partitions, replicationFactor: s.replicationFactor,
      ...(s.config === undefined ? {} : { configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })) }),
    }));
    try {
      await this.admin.createTopics({ waitForLeaders: true, topics });
    } catch (err) {
      // Another instance may have created them at the same moment.
      const still = new Set(await this.admin.listTopics());
      if (todo.some((s) => !still.has(s.topic))) throw err;
    }
    return todo.map((s) => s.topic);
  }

  /** Each topic's max.message.bytes as the broker applies it (its own setting, or the broker's default). */
  async maxMessageBytes(topics: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(topics)];
    if (unique.length === 0) return new Map();
    const res = await this.admin.describeConfigs({
      includeSynonyms: false, resources: unique.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['max.message.bytes'] })),
    });
    const out = new Map<string, number>();
    for (const r of res.resources) {
      const v = r.configEntries.find((e) => e.configName === 'max.message.bytes')?.configValue;
      if (v !== undefined && Number.isFinite(Number(v))) out.set(r.resourceName, Number(v));
    }
    return out;
  }

  /** The group's committed next offsets (absent when nothing was committed). */
  async committed(groupId: string, topics: readonly string[]): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    const res = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const t of res) for (const p of t.partitions) if (p.offset !== '-1' && p.offset !== '') out.set(tpKey(t.topic, p.partition), BigInt(p.offset));
    return out;
  }

  /** High watermark (offset after the last record) of every partition of the topics. */
  async highWatermarks(tps: readonly TopicPartition[]): Promise<Map<string, bigint>> {
    return new Map([...(await this.bounds(tps))].map(([k, b]) => [k, b.high]));
  }

  /** First (low) and next (high) offsets of every partition of the topics. */
  async bounds(tps: readonly TopicPartition[]): Promise<Map<string, { low: bigint; high: bigint }>> {
    const out = new Map<string, { low: bigint; high: bigint }>();
    for (const topic of new Set(tps.map((tp) => tp.topic))) {
      for (const p of await this.admin.fetchTopicOffsets(topic)) out.set(tpKey(topic, p.partition), { low: BigInt(p.low), high: BigInt(p.high) });
    }
    return out;
  }
}
