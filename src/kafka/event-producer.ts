// Produces events (a fixture, an export) into input topics as the service reads them:
// keyed by account, Confluent-framed with each kind's schema registered (subject
// <topic>-value, or <topic>-<record name> when kinds share a topic), or plain Avro for
// `format: avro` topics. Used by `cepheus produce`, the integration tests and the bench.
import { Partitioners } from 'kafkajs';
import type { Kafka, Message } from 'kafkajs';
import { loadEventSchemas } from '../events/schemas.ts';
import type { AnyEvent, EventKind } from '../events/types.ts';
import { encodeConfluentValue, recordTypeOf } from '../io/confluent-frame.ts';
import { KIND_SPECS } from '../io/event-schema.ts';
import type { InputTopic } from '../config/inputs.ts';
import type { SchemaResolver } from './registry.ts';
import { CepError } from '../core/errors.ts';

export interface ProduceOptions {
  readonly kafka: Kafka;
  readonly resolver: SchemaResolver | null;
  readonly topics: readonly InputTopic[];
  /** Events per second (0: as fast as the broker takes them). */
  readonly rate?: number;
  /** Kafka record timestamp: when it is produced (default) or the event time. */
  readonly timestamps?: 'now' | 'event';
  readonly batchSize?: number;
  /** Called after each batch is acknowledged with the events sent so far. */
  readonly onProgress?: (sent: number) => void;
}

export interface ProduceSummary {
  readonly events: number;
  readonly byTopic: Readonly<Record<string, number>>;
  readonly ms: number;
  readonly eventsPerSec: number;
}

/** Registers the schema of each kind of each Confluent topic; returns kind → schema id per topic. */
async function schemaIds(resolver: SchemaResolver | null, topics: readonly InputTopic[]): Promise<Map<string, Map<EventKind, number>>> {
  const out = new Map<string, Map<EventKind, number>>();
  const schemas = loadEventSchemas();
  for (const t of topics) {
    if (t.format !== 'confluent') continue;
    if (resolver === null) throw new CepError('CEP_ERR_CONFIG', `topic ${t.topic} is Confluent-framed: a schema registry is needed`);
    const ids = new Map<EventKind, number>();
    for (const kind of t.kinds) {
      const schema = schemas.find((s) => s.kind === kind)?.schema;
      const subject = t.kinds.length === 1 ? `${t.topic}-value` : `${t.topic}-${KIND_SPECS[kind].fullName}`;
      ids.set(kind, await resolver.register(JSON.stringify(schema), subject));
    }
    out.set(t.topic, ids);
  }
  return out;
}

export async function produceEvents(events: AsyncIterable<AnyEvent> | Iterable<AnyEvent>, o: ProduceOptions): Promise<ProduceSummary> {
  const ids = await schemaIds(o.resolver, o.topics);
  const topicOf = new Map<EventKind, InputTopic>();
  for (const t of o.topics) for (const k of t.kinds) topicOf.set(k, t);
  const producer = o.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const byTopic: Record<string, number> = {};
  const batchSize = Math.max(1, o.batchSize ?? 1000);
  const rate = o.rate ?? 0;
  const started = performance.now();
  let sent = 0;
  let pending = new Map<string, Message[]>();
  let inBatch = 0;
  const flush = async (): Promise<void> => {
    if (inBatch === 0) return;
    const topicMessages = [...pending].map(([topic, messages]) => ({ topic, messages }));
    pending = new Map();
    await producer.sendBatch({ topicMessages, acks: -1 });
    sent += inBatch;
    inBatch = 0;
    o.onProgress?.(sent);
  };
  try {
    for await (const e of events) {
      const t = topicOf.get(e.kind);
      if (t === undefined) continue;
      const value = t.format === 'confluent' ? encodeConfluentValue(e, ids.get(t.topic)?.get(e.kind) as number) : recordTypeOf(e.kind).toBuffer(e);
      const list = pending.get(t.topic) ?? [];
      list.push({ key: e.account, value, timestamp: String(o.timestamps === 'event' ? e.ts : Date.now()) });
      pending.set(t.topic, list);
      byTopic[t.topic] = (byTopic[t.topic] ?? 0) + 1;
      if (++inBatch >= batchSize) {
        await flush();
        if (rate > 0) {
          const wait = started + (sent / rate) * 1000 - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  const ms = performance.now() - started;
  return { events: sent, byTopic, ms: Math.round(ms), eventsPerSec: ms > 0 ? Math.round(sent / (ms / 1000)) : 0 };
}
