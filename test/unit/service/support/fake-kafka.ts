// An in-memory Kafka for the service's unit tests: input partitions the test fills, a
// consumer that fetches them batch by batch (a seek during a batch wins over the batch's
// end, as in kafkajs), a transactional sink that appends to output topics and records the
// group's offsets (or fails when told to), an admin that answers from both, and the
// checkpoint reader over the state topic as compaction leaves it.
import { pino } from 'pino';
import type { Logger } from 'pino';
import { tpKey } from '../../../../src/kafka/admin.ts';
import type { OffsetCommit, OutputBatch, OutputRecord } from '../../../../src/kafka/sink.ts';
import type { InputMessage, InputSource, SourceHandlers, TopicPartition } from '../../../../src/kafka/source.ts';
import { CHECKPOINT_HEADER, assembleCheckpoint } from '../../../../src/service/checkpoint.ts';
import type { Checkpoint } from '../../../../src/service/checkpoint.ts';

export class FakeKafka {
  /** Input records by tpKey. */
  readonly inputs = new Map<string, InputMessage[]>();
  /** Committed output records by topic. */
  readonly outputs = new Map<string, OutputRecord[]>();
  readonly committed = new Map<string, bigint>();
  /** First offset still there (retention), by tpKey; 0 when absent. */
  readonly low = new Map<string, number>();
  transactions = 0;
  /** The next commit throws this (once). */
  failNext: Error | undefined;

  partition(tp: TopicPartition): InputMessage[] {
    const key = tpKey(tp.topic, tp.partition);
    let p = this.inputs.get(key);
    if (p === undefined) {
      p = [];
      this.inputs.set(key, p);
    }
    return p;
  }

  produce(tp: TopicPartition, key: Buffer | null, value: Buffer | null, timestamp: number): void {
    const p = this.partition(tp);
    p.push({ offset: p.length, key, value, timestamp });
  }

  readonly sink = {
    commit: async (batches: readonly OutputBatch[], offsets: readonly OffsetCommit[]): Promise<void> => {
      const fail = this.failNext;
      this.failNext = undefined;
      if (fail !== undefined) throw fail;
      for (const b of batches) this.outputs.set(b.topic, [...(this.outputs.get(b.topic) ?? []), ...b.records]);
      for (const o of offsets) this.committed.set(tpKey(o.topic, o.partition), o.offset);
      this.transactions++;
    },
  };

  readonly admin = {
    committed: async (): Promise<Map<string, bigint>> => new Map(this.committed),
    bounds: async (tps: readonly TopicPartition[]): Promise<Map<string, { low: bigint; high: bigint }>> =>
      new Map(tps.map((tp) => [tpKey(tp.topic, tp.partition), { low: BigInt(this.low.get(tpKey(tp.topic, tp.partition)) ?? 0), high: BigInt(this.partition(tp).length) }])),
    highWatermarks: async (tps: readonly TopicPartition[]): Promise<Map<string, bigint>> =>
      new Map(tps.map((tp) => [tpKey(tp.topic, tp.partition), BigInt(this.partition(tp).length)])),
  };

  /** The latest checkpoint of `group` in `topic`, as a compacted topic keeps it. */
  async readCheckpoint(topic: string, group: string): Promise<Checkpoint | undefined> {
    const latest = new Map<string, { value: Buffer; header: string }>();
    for (const r of this.outputs.get(topic) ?? []) {
      const key = String(r.key);
      if (r.value === null) latest.delete(key);
      else latest.set(key, { value: r.value, header: r.headers?.[CHECKPOINT_HEADER] ?? '' });
    }
    return assembleCheckpoint(group, latest);
  }
}

/** A consumer of a FakeKafka: calls are recorded as `pause t/0`, `resume t/0`, `seek t/0 12`. */
export class FakeSource implements InputSource {
  readonly calls: string[] = [];
  private readonly kafka: FakeKafka;
  private h: SourceHandlers | undefined;
  private assignment: readonly TopicPartition[] = [];
  private readonly position = new Map<string, number>();
  private readonly paused = new Set<string>();

  constructor(kafka: FakeKafka) {
    this.kafka = kafka;
  }

  async start(h: SourceHandlers): Promise<void> {
    this.h = h;
  }

  get handlers(): SourceHandlers {
    if (this.h === undefined) throw new Error('not started');
    return this.h;
  }

  /** The group assigns `tps`: positions reset to the committed offsets, then the pipeline restores. */
  async assign(tps: readonly TopicPartition[]): Promise<void> {
    this.assignment = tps;
    for (const tp of tps) this.position.set(tpKey(tp.topic, tp.partition), Number(this.kafka.committed.get(tpKey(tp.topic, tp.partition)) ?? 0n));
    await this.handlers.assigned(tps);
  }

  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      this.calls.push(`pause ${tp.topic}/${tp.partition}`);
      this.paused.add(tpKey(tp.topic, tp.partition));
    }
  }

  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) {
      this.calls.push(`resume ${tp.topic}/${tp.partition}`);
      this.paused.delete(tpKey(tp.topic, tp.partition));
    }
  }

  seek(tp: TopicPartition, offset: number): void {
    this.calls.push(`seek ${tp.topic}/${tp.partition} ${offset}`);
    this.position.set(tpKey(tp.topic, tp.partition), offset);
  }

  async stop(): Promise<void> {
    this.assignment = [];
  }

  /** One fetch: up to `n` records of every unpaused partition, one batch at a time. Returns how many. */
  async fetch(n: number): Promise<number> {
    this.handlers.fetched();
    let total = 0;
    for (const tp of this.assignment) {
      const key = tpKey(tp.topic, tp.partition);
      if (this.paused.has(key)) continue;
      const all = this.kafka.partition(tp);
      const from = this.position.get(key) ?? 0;
      const messages = all.slice(from, from + n);
      if (messages.length === 0) continue;
      this.position.set(key, from + messages.length);
      await this.handlers.batch({ topic: tp.topic, partition: tp.partition, highWatermark: all.length, messages });
      this.handlers.progress(tp, all.length);
      total += messages.length;
    }
    return total;
  }
}

/** A pino logger whose lines (parsed) land in `lines`. */
export function capturingLog(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info', base: null, timestamp: false }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}

/** Lets queued promise work and setImmediate callbacks run. */
export async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
