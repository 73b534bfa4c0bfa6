// What a service run should have produced, computed independently of the service: alerts
// from `cepheus replay` over the same events, late events from each input partition's own
// order (the per-partition watermark rule), and the alerts and dead letters read back.
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import type { Alert } from '../../../src/core/alert.ts';
import { StreamWatermarks } from '../../../src/core/watermarks.ts';
import type { AnyEvent } from '../../../src/events/types.ts';
import { KIND_BY_NAME } from '../../../src/io/event-schema.ts';
import { fromRecord } from '../../../src/store/alert-codec.ts';
import type { AlertRecord } from '../../../src/store/alert-codec.ts';
import { readTopic } from './service.ts';
import type { ReadRecord } from './service.ts';

export const byId = <T extends { readonly id: string }>(xs: readonly T[]): T[] => [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Alerts without Kafka coordinates (replay reads files, it has none). */
export const withoutSources = (a: Alert): Alert => ({ ...a, matched: a.matched.map((m) => ({ ...m, events: m.events.map((e) => ({ ...e, source: null })) })) });

export async function decodeAlerts(reg: SchemaRegistry, records: readonly ReadRecord[]): Promise<Alert[]> {
  return Promise.all(records.map(async (r) => fromRecord((await reg.decode(r.value as Buffer)) as AlertRecord)));
}

/** The input topics read back: every event with its coordinates. */
export async function inputEvents(kafka: Kafka, reg: SchemaRegistry, topics: readonly string[]): Promise<{ topic: string; partition: number; offset: string; event: AnyEvent }[]> {
  const out: { topic: string; partition: number; offset: string; event: AnyEvent }[] = [];
  for (const topic of topics) {
    for (const r of await readTopic(kafka, topic)) {
      const value = r.value as Buffer;
      const raw = (await reg.decode(value)) as Record<string, unknown>;
      // The registry decodes the record alone; its kind is the writer schema's record name.
      const kind = KIND_BY_NAME.get(((await reg.getSchema(value.readInt32BE(1))) as unknown as { name: string }).name);
      out.push({ topic, partition: r.partition, offset: r.offset, event: { kind, ...raw } as unknown as AnyEvent });
    }
  }
  return out;
}

/** Ids of the events late for their own partition (watermark = partition's max time - bound). */
export function lateByPartition(events: readonly { topic: string; partition: number; offset: string; event: AnyEvent }[], outOfOrdernessMs: number): string[] {
  const streams = new Map<string, { offset: bigint; event: AnyEvent }[]>();
  for (const e of events) {
    const k = `${e.topic}/${e.partition}`;
    streams.set(k, [...(streams.get(k) ?? []), { offset: BigInt(e.offset), event: e.event }]);
  }
  const late: string[] = [];
  for (const list of streams.values()) {
    const w = new StreamWatermarks(outOfOrdernessMs, 0);
    w.ensure(1);
    for (const { event } of list.sort((a, b) => (a.offset < b.offset ? -1 : 1))) if (!w.observe(0, event.ts)) late.push(event.id);
  }
  return late.sort();
}
