// Helpers for the RabbitMQ source tests (scripts/rabbitmq/start.sh): streams created and
// filled as the admin user, events Confluent-framed like the Kafka topics' (schemas
// registered under <stream>-value), the service reading as the read-only `cepheus` user.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { inject } from 'vitest';
import { pino } from 'pino';
import { loadEventSchemas } from '../../../src/events/schemas.ts';
import type { AnyEvent, EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { SchemaResolver } from '../../../src/kafka/registry.ts';
import { registry } from './kafka.ts';
import { RABBITMQ_SECRETS, RABBITMQ_URL } from './env.ts';

export const rabbitAvailable = (): boolean => inject('rabbitAvailable');
export const rabbitPasswordFile = (user: 'admin' | 'cepheus'): string => join(RABBITMQ_SECRETS, `${user}.password`);
const passwordOf = (user: 'admin' | 'cepheus'): string => readFileSync(rabbitPasswordFile(user), 'utf8').trim();

export function rabbitAdmin(): Promise<ChannelModel> {
  const u = new URL(RABBITMQ_URL);
  return connect({ protocol: 'amqp', hostname: u.hostname, port: Number(u.port || 5672), vhost: '/', username: 'admin', password: passwordOf('admin') });
}

/** The `sources:` entry reading `streams` as the service's user. */
export const rabbitSource = (streams: Readonly<Record<string, string>>, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({
  type: 'rabbitmq-stream', url: RABBITMQ_URL, username: 'cepheus', passwordFile: rabbitPasswordFile('cepheus'), streams, ...extra,
});

/** Creates the streams (durable, x-queue-type stream). */
export async function createStreams(names: readonly string[]): Promise<void> {
  const c = await rabbitAdmin();
  try {
    const ch = await c.createChannel();
    for (const n of names) await ch.assertQueue(n, { durable: true, arguments: { 'x-queue-type': 'stream' } });
  } finally {
    await c.close();
  }
}

/**
 * Publishes events to their kind's stream, Confluent-framed, the AMQP timestamp (seconds) set
 * to now; `raw` messages (poison) go where `rawAt` says, before the event of that index.
 * Waits for the broker's confirms.
 */
export async function publishEvents(events: Iterable<AnyEvent>, streamOf: Readonly<Partial<Record<EventKind, string>>>, raw: readonly { readonly at: number; readonly stream: string; readonly body: Buffer }[] = []): Promise<number> {
  const resolver = new SchemaResolver(registry(), pino({ level: 'silent' }));
  const ids = new Map<EventKind, number>();
  for (const s of loadEventSchemas()) {
    const kind = s.kind as EventKind;
    const stream = streamOf[kind];
    if (stream !== undefined) ids.set(kind, await resolver.register(JSON.stringify(s.schema), `${stream}-value`));
  }
  const c = await rabbitAdmin();
  let n = 0;
  try {
    const ch = await c.createConfirmChannel();
    const now = Math.floor(Date.now() / 1000);
    let i = 0;
    for (const e of events) {
      for (const r of raw) if (r.at === i) ch.sendToQueue(r.stream, r.body, { timestamp: now });
      const stream = streamOf[e.kind];
      i++;
      if (stream === undefined) continue;
      ch.sendToQueue(stream, encodeConfluentValue(e, ids.get(e.kind) as number), { timestamp: now });
      n++;
      if (n % 2000 === 0) await ch.waitForConfirms();
    }
    for (const r of raw) if (r.at >= i) ch.sendToQueue(r.stream, r.body, { timestamp: now });
    await ch.waitForConfirms();
  } finally {
    await c.close();
  }
  return n;
}
