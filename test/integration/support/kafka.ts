// Helpers for tests against the real broker and registry: clients, unique topics, cleanup.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { pino } from 'pino';
import { inject } from 'vitest';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { AnyEvent, EventKind } from '../../../src/events/types.ts';
import { produceEvents } from '../../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../../src/kafka/registry.ts';
import { BROKERS, REGISTRY_URL } from './env.ts';

/** True when the broker and registry answered in global setup (CI fails instead of skipping). */
export const kafkaAvailable = (): boolean => inject('kafkaAvailable');

export function kafka(clientId = `cepheus-test-${randomUUID().slice(0, 8)}`): Kafka {
  return new Kafka({ clientId, brokers: BROKERS, logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
}

export function registry(): SchemaRegistry {
  return new SchemaRegistry({ host: REGISTRY_URL });
}

/** A topic name no other run uses. */
export const uniqueTopic = (prefix: string): string => `${prefix}.${Date.now().toString(36)}.${randomUUID().slice(0, 6)}`;

export async function createTopics(admin: Admin, topics: readonly string[], partitions = 1): Promise<void> {
  await admin.createTopics({ waitForLeaders: true, topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })) });
}

/** Closes every client, ignoring errors (tests clean up even when they fail). */
export async function closeAll(...clients: (Producer | Consumer | Admin | undefined)[]): Promise<void> {
  await Promise.all(clients.map(async (c) => {
    try {
      await c?.disconnect();
    } catch {
      // already closed
    }
  }));
}

/** One new topic per event kind, `<prefix>.<kind>`, with `partitions` partitions each. */
export async function kindTopics(prefix: string, partitions: number): Promise<Record<EventKind, string>> {
  const topics = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, `${prefix}.${kind}`])) as Record<EventKind, string>;
  const admin = kafka().admin();
  await admin.connect();
  try {
    await createTopics(admin, Object.values(topics), partitions);
  } finally {
    await admin.disconnect();
  }
  return topics;
}

/** Produces events into per-kind topics as the service reads them (keyed by account, schemas registered). */
export async function produceToKindTopics(events: AsyncIterable<AnyEvent> | Iterable<AnyEvent>, topics: Readonly<Record<EventKind, string>>): Promise<void> {
  await produceEvents(events, {
    kafka: kafka(), resolver: new SchemaResolver(registry(), pino({ level: 'silent' })),
    topics: EVENT_KINDS.map((kind) => ({ topic: topics[kind], kinds: [kind], format: 'confluent' as const, schemaId: 0 })),
  });
}
