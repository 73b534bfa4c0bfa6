// Dead letters as the tools see them: a record of the dead-letter (or late) topic read back
// into where it came from, why, and its original bytes; selection by time, code and source
// topic; and redrive, which produces the original key and value back into the original
// topic (the event keeps its id, so an alert it raises has the id it would have had).
import { Partitioners } from 'kafkajs';
import type { Kafka } from 'kafkajs';
import type { TopicRecord } from './topic-reader.ts';

/** Header names of a dead letter (written by the service, src/service/dead-letter.ts). */
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

/** Produces each redrivable dead letter's key and value back into its source topic. */
export async function redrive(kafka: Kafka, letters: readonly DeadLetter[], dryRun: boolean): Promise<RedriveResult> {
  const byTopic: Record<string, number> = {};
  const skipped: { id: string; reason: string }[] = [];
  const out = new Map<string, { key: Buffer | null; value: Buffer; headers: Record<string, string> }[]>();
  for (const d of letters) {
    const why = notRedrivable(d);
    if (why !== null || d.source === null || d.value === null) {
      skipped.push({ id: d.id, reason: why ?? 'not redrivable' });
      continue;
    }
    const list = out.get(d.source.topic) ?? [];
    list.push({ key: d.key, value: d.value, headers: { [DL.REDRIVEN_FROM]: d.id } });
    out.set(d.source.topic, list);
    byTopic[d.source.topic] = (byTopic[d.source.topic] ?? 0) + 1;
  }
  if (!dryRun && out.size > 0) {
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      await producer.sendBatch({ acks: -1, topicMessages: [...out].map(([topic, messages]) => ({ topic, messages })) });
    } finally {
      await producer.disconnect();
    }
  }
  return { redriven: Object.values(byTopic).reduce((a, b) => a + b, 0), byTopic, skipped };
}
