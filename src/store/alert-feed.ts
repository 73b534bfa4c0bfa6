// Service mode: keeps the alert store in step with the alerts topic. A read_committed
// consumer (only alerts of committed transactions) decodes Confluent-framed alerts through
// the schema registry and inserts them; the store is idempotent on alert id, so redelivery
// after a restart or rebalance adds nothing: the store holds each committed alert once.
import type { Consumer, Kafka } from 'kafkajs';
import { transientCrash } from '../kafka/kafka-errors.ts';
import { startAgainAfterOutage } from '../kafka/restart.ts';
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
  /** The consumer stopped on a broker it could not reach after joining: a new one is started. */
  readonly onRestart?: (err: Error) => void;
  readonly now?: () => number;
}

export interface AlertFeed {
  readonly stop: () => Promise<void>;
  /** Records read and alerts newly stored so far. */
  readonly stats: () => { readonly records: number; readonly stored: number; readonly errors: number };
}

export async function startAlertFeed(o: AlertFeedOptions): Promise<AlertFeed> {
  const now = o.now ?? Date.now;
  let records = 0;
  let stored = 0;
  let errors = 0;
  let stopped = false;
  let consumer: Consumer | undefined;
  const start = async (): Promise<void> => {
    // A short long-poll: stop() waits for the fetch in flight, and alerts should reach the API soon.
    const c = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
    consumer = c;
    let joined = false;
    c.on(c.events.GROUP_JOIN, () => {
      joined = true;
    });
    c.on(c.events.CRASH, (e) => {
      if (e.payload.restart || c !== consumer || stopped) return;
      // As the service's own consumer (source.ts): once the group was joined, a broker that
      // went away (no coordinator, connection refused) is an outage to wait out, not a refusal.
      if (joined && transientCrash(e.payload.error)) {
        o.onRestart?.(e.payload.error);
        void startAgain();
        return;
      }
      o.onCrash?.(e.payload.error);
    });
    await c.connect();
    await c.subscribe({ topic: o.topic, fromBeginning: true });
    await c.run({
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
  };
  const startAgain = (): Promise<void> => startAgainAfterOutage(() => stopped, async () => {
    await consumer?.disconnect().catch(() => undefined);
    await start();
  }, (err) => o.onCrash?.(err));
  await start();
  return {
    stop: async () => {
      stopped = true;
      await consumer?.disconnect();
    },
    stats: () => ({ records, stored, errors }),
  };
}
