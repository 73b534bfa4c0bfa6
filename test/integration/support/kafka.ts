// Helpers for tests against the real broker and registry: clients, unique topics, cleanup.
import { randomUUID } from 'node:crypto';
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { inject } from 'vitest';
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
