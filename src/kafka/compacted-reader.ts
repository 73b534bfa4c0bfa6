// Reads a compacted topic as a table: the last value per key under a prefix (tombstones
// delete), as the topic stands when reading starts (see topic-reader.ts).
import type { Kafka } from 'kafkajs';
import { readTopic } from './topic-reader.ts';

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
  const latest = new Map<string, CompactedValue>();
  const read = await readTopic(kafka, topic, { group: `${o.group}.state`, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) }, (r) => {
    const key = r.key?.toString('utf8') ?? '';
    if (!key.startsWith(o.prefix)) return;
    if (r.value === null) latest.delete(key);
    else latest.set(key, { value: r.value, header: r.headers[o.header] ?? '' });
  });
  return { latest, ...read };
}
