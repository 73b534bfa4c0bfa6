// Dead letters as the tools see them: a record of the dead-letter (or late) topic read back
// into where it came from, why, and its original bytes; selection by time, code and source
// topic; and redrive, which produces the original key and value back into the original
// topic (the event keeps its id, so an alert it raises has the id it would have had), into
// the partition it was read from and in the order it was read there: a stream's time is its
// partition's, so an operator who reset that partition's watermark gets the records back
// where the reset applies, in their order (dead letters spread over the dead-letter topic's
// partitions by key, so reading them back does not give that order by itself). A redriven
// record gets a new Kafka timestamp (now): the future-event guard judges it against that.
import { Partitioners } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { TopicRecord } from './topic-reader.ts';

/** Header names of a dead letter: the one list, which the service (src/service/dead-letter.ts) writes by. */
export const DL = {
  CODE: 'cepheus.error.code',
  MESSAGE: 'cepheus.error.message',
  TOPIC: 'cepheus.source.topic',
  PARTITION: 'cepheus.source.partition',
  OFFSET: 'cepheus.source.offset',
  TIMESTAMP: 'cepheus.source.timestamp',
  WATERMARK: 'cepheus.late.watermark',
  /** Set on a dead letter that carries a reference instead of the whole value (too big). */
  TRUNCATED: 'cepheus.value.truncated',
  /** On such a dead letter: the size of the original value, its Confluent schema id (when framed), the size of its key. */
  VALUE_BYTES: 'cepheus.value.bytes',
  VALUE_SCHEMA_ID: 'cepheus.value.schema.id',
  KEY_BYTES: 'cepheus.key.bytes',
  /** Set on a redriven record: the dead letter it came from. */
  REDRIVEN_FROM: 'cepheus.redriven.from',
} as const;

export interface DeadLetter {
  /** Where the dead letter is: `<topic>/<partition>/<offset>`. */
  readonly id: string;
  readonly at: number;
  readonly code: string;
  readonly message: string;
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: number; readonly timestamp: number } | null;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** True when the value is only the first bytes of a record too big to copy. */
  readonly truncated: boolean;
  readonly headers: Readonly<Record<string, string>>;
}

export function deadLetterOf(topic: string, r: TopicRecord): DeadLetter {
  const h = r.headers;
  const src = h[DL.TOPIC];
  return {
    id: `${topic}/${r.partition}/${r.offset}`, at: r.timestamp, code: h[DL.CODE] ?? '(no code)', message: h[DL.MESSAGE] ?? '',
    source: src === undefined ? null : { topic: src, partition: Number(h[DL.PARTITION] ?? -1), offset: Number(h[DL.OFFSET] ?? -1), timestamp: Number(h[DL.TIMESTAMP] ?? 0) },
    key: r.key, value: r.value, truncated: h[DL.TRUNCATED] === 'true', headers: h,
  };
}

export interface Selection {
  /** Only dead letters written at or after this time (ms). */
  readonly since?: number;
  readonly codes?: readonly string[];
  readonly sourceTopics?: readonly string[];
}

export function selects(s: Selection, d: DeadLetter): boolean {
  if (s.since !== undefined && d.at < s.since) return false;
  if (s.codes !== undefined && s.codes.length > 0 && !s.codes.includes(d.code)) return false;
  if (s.sourceTopics !== undefined && s.sourceTopics.length > 0 && (d.source === null || !s.sourceTopics.includes(d.source.topic))) return false;
  return true;
}

/** Why a dead letter cannot be redriven, or null when it can. */
export function notRedrivable(d: DeadLetter): string | null {
  if (d.source === null) return 'no source topic in its headers';
  if (d.truncated) return `it holds only a reference to the record (too big to copy): read ${d.source.topic}/${d.source.partition} at offset ${d.source.offset}`;
  if (d.value === null || d.value.length === 0) return 'no value (a tombstone): nothing to process';
  return null;
}

export interface RedriveResult {
  readonly redriven: number;
  readonly byTopic: Readonly<Record<string, number>>;
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
}

/** Dead letters in the order their records were read: by source topic, partition, offset (those without a source last, as they came). */
export function inSourceOrder(letters: readonly DeadLetter[]): DeadLetter[] {
  const rank = (d: DeadLetter): [string, number, number] => (d.source === null ? ['\uffff', 0, 0] : [d.source.topic, d.source.partition, d.source.offset]);
  return letters.map((d, i) => ({ d, i, r: rank(d) }))
    .sort((a, b) => (a.r[0] < b.r[0] ? -1 : a.r[0] > b.r[0] ? 1 : a.r[1] - b.r[1] || a.r[2] - b.r[2] || a.i - b.i))
    .map((x) => x.d);
}

/** Produces each redrivable dead letter's key and value back into the partition of its source topic it was read from, in source order. */
/** A record to produce again, where it was read. */
export interface Redriven {
  readonly topic: string;
  readonly message: { readonly key: Buffer | null; readonly value: Buffer; readonly partition: number; readonly headers: Record<string, string> };
}

/**
 * Bytes of keys, values and headers per produce request: a partition's records of one request
 * form one record batch, which the broker refuses over the topic's max.message.bytes (1 MiB by
 * default); a redrive of thousands of records must not be one request.
 */
export const REDRIVE_CHUNK_BYTES = 256 * 1024;

const sizeOf = (r: Redriven): number => (r.message.key?.length ?? 0) + r.message.value.length + Object.entries(r.message.headers).reduce((n, [k, v]) => n + k.length + v.length, 0) + 64;

/** Consecutive runs of records, each run at most `bytes` (a record bigger than that alone), in order. */
export function chunks(records: readonly Redriven[], bytes = REDRIVE_CHUNK_BYTES): Redriven[][] {
  const out: Redriven[][] = [];
  let current: Redriven[] = [];
  let size = 0;
  for (const r of records) {
    const n = sizeOf(r);
    if (current.length > 0 && size + n > bytes) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function redrive(kafka: Kafka, letters: readonly DeadLetter[], dryRun: boolean): Promise<RedriveResult> {
  const byTopic: Record<string, number> = {};
  const skipped: { id: string; reason: string }[] = [];
  const out: Redriven[] = [];
  for (const d of inSourceOrder(letters)) {
    const why = notRedrivable(d);
    if (why !== null || d.source === null || d.value === null) {
      skipped.push({ id: d.id, reason: why ?? 'not redrivable' });
      continue;
    }
    out.push({ topic: d.source.topic, message: { key: d.key, value: d.value, partition: d.source.partition, headers: { [DL.REDRIVEN_FROM]: d.id } } });
    byTopic[d.source.topic] = (byTopic[d.source.topic] ?? 0) + 1;
  }
  if (!dryRun && out.length > 0) {
    // One request at a time (idempotent, one in flight): the records land in the order given.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      for (const chunk of chunks(out)) {
        const topics = new Map<string, Redriven['message'][]>();
        for (const r of chunk) {
          const list = topics.get(r.topic) ?? [];
          list.push(r.message);
          topics.set(r.topic, list);
        }
        await producer.sendBatch({ acks: -1, topicMessages: [...topics].map(([topic, messages]) => ({ topic, messages })) });
      }
    } finally {
      await producer.disconnect();
    }
  }
  return { redriven: Object.values(byTopic).reduce((a, b) => a + b, 0), byTopic, skipped };
}
