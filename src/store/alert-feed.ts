// Service mode: keeps the alert store in step with the alerts topic. A read_committed
// consumer (only alerts of committed transactions) decodes Confluent-framed alerts through
// the schema registry and inserts them; the store is idempotent on alert id, so redelivery
// after a restart or rebalance adds nothing: the store holds each committed alert once.
import type { Kafka } from 'kafkajs';
import type { AlertBus } from './alert-bus.ts';
import type { AlertWire } from './alert-codec.ts';
import { newAlertSummary } from './alert-store.ts';
import type { AlertStore } from './alert-store.ts';

export interface AlertFeedOptions {
  readonly kafka: Kafka;
  /** How the alerts topic frames alerts (registry or plain Avro). */
  readonly wire: Pick<AlertWire, 'decode'>;
  readonly topic: string;
  readonly groupId: string;
  /** The alert store (`insert`: the alerts table; the shadow feed inserts into its shadow table). */
  readonly store: Pick<AlertStore, 'insert'>;
  readonly bus?: AlertBus;
  /** Called for a record that cannot be decoded (it is skipped, counted by the caller). */
  readonly onError?: (err: unknown, offset: string) => void;
  /** The consumer stopped for good (kafkajs will not restart it: a refused group, ...). */
  readonly onCrash?: (err: Error) => void;
  readonly now?: () => number;
}

export interface AlertFeed {
  readonly stop: () => Promise<void>;
  /** Records read and alerts newly stored so far. */
  readonly stats: () => { readonly records: number; readonly stored: number; readonly errors: number };
}

export async function startAlertFeed(o: AlertFeedOptions): Promise<AlertFeed> {
  // A short long-poll: stop() waits for the fetch in flight, and alerts should reach the API soon.
  const consumer = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
  const now = o.now ?? Date.now;
  let records = 0;
  let stored = 0;
  let errors = 0;
  consumer.on(consumer.events.CRASH, (e) => {
    if (!e.payload.restart) o.onCrash?.(e.payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: true });
  await consumer.run({
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      for (const m of batch.messages) {
        records++;
        try {
          const alert = await o.wire.decode(m.value as Buffer);
          const storedAt = now();
          if (o.store.insert(alert, storedAt)) {
            stored++;
            o.bus?.publish(newAlertSummary(alert, storedAt));
          }
        } catch (err) {
          errors++;
          o.onError?.(err, m.offset);
        }
        resolveOffset(m.offset);
      }
      await heartbeat();
    },
  });
  return {
    stop: async () => {
      await consumer.disconnect();
    },
    stats: () => ({ records, stored, errors }),
  };
}
