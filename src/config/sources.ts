// Sources beside Kafka's `topics:`: `sources:` lists RabbitMQ nodes whose streams carry events
// (one stream per kind, Avro like the Kafka topics: Confluent-framed, or plain with a schema).
// A stream becomes an input stream of the service like a Kafka partition, named
// `rabbitmq-stream:<stream>` (the colon cannot occur in a Kafka topic name, so the two never
// collide), partition 0; its consumed offsets commit inside the Kafka transaction, in the state
// topic (see service/stream-offsets.ts).
import { z } from 'zod';
import { EVENT_KINDS } from '../events/types.ts';
import { PASSWORD_FIELDS, resolvePassword } from './secrets.ts';

export const RABBIT_STREAM_PREFIX = 'rabbitmq-stream:';
export const rabbitStreamTopic = (stream: string): string => `${RABBIT_STREAM_PREFIX}${stream}`;
export const isRabbitStream = (topic: string): boolean => topic.startsWith(RABBIT_STREAM_PREFIX);
export const streamOfTopic = (topic: string): string => topic.slice(RABBIT_STREAM_PREFIX.length);

const streamName = z.string().regex(/^[A-Za-z0-9._:-]{1,255}$/, 'expected a stream name (letters, digits, . _ : -)');

/** A stream of a kind: its name, or the long form (like a Kafka topic's). */
const inputStream = z.union([
  streamName,
  z.object({ stream: streamName, format: z.enum(['confluent', 'avro']).default('confluent'), schema: z.string().min(1).optional() }).strict(),
]);

const tls = z.union([
  z.boolean(),
  z.object({ ca: z.string().min(1).optional(), cert: z.string().min(1).optional(), key: z.string().min(1).optional(), rejectUnauthorized: z.boolean().default(true) }).strict(),
]);

const amqpUrl = z.string().refine((u) => {
  try {
    const p = new URL(u);
    return (p.protocol === 'amqp:' || p.protocol === 'amqps:') && p.hostname !== '';
  } catch {
    return false;
  }
}, 'expected amqp://host:port/vhost (or amqps:// for TLS)').refine((u) => {
  try {
    const p = new URL(u);
    return p.username === '' && p.password === '';
  } catch {
    return true;
  }
}, 'expected no user name or password in the URL (they would show in logs): use username and password or passwordFile');

export const RabbitStreamSourceSchema = z.object({
  type: z.literal('rabbitmq-stream'),
  /** AMQP 0-9-1 URL of a node (the streams are read over AMQP with x-stream-offset). */
  url: amqpUrl,
  username: z.string().min(1),
  /** TLS for amqps:// URLs: true (system CAs) or PEM files. */
  tls: tls.default(false),
  /** Event kind → stream. */
  streams: z.object({ login: inputStream.optional(), order: inputStream.optional(), trade: inputStream.optional(), transfer: inputStream.optional() })
    .strict().refine((t) => Object.values(t).some((v) => v !== undefined), 'expected at least one of login, order, trade, transfer'),
  /** Messages RabbitMQ may send ahead of the service per stream (AMQP prefetch). */
  prefetch: z.number().int().min(1).max(65_535).default(2000),
  ...PASSWORD_FIELDS,
}).strict().transform(resolvePassword(true));

export type RabbitStreamSource = z.output<typeof RabbitStreamSourceSchema>;

export const SourcesSchema = z.array(RabbitStreamSourceSchema).default([]);

/**
 * Each kind comes from one place: a Kafka topic or one source's stream; at least one kind is
 * configured somewhere. A zod refinement of the whole config, so problems name their key.
 */
export function checkKindSources(c: { readonly topics: Readonly<Record<string, unknown>>; readonly sources: readonly RabbitStreamSource[] }, ctx: z.RefinementCtx): void {
  const from = new Map<string, string>();
  for (const kind of EVENT_KINDS) if (c.topics[kind] !== undefined) from.set(kind, `topics.${kind}`);
  c.sources.forEach((s, i) => {
    for (const kind of EVENT_KINDS) {
      if (s.streams[kind] === undefined) continue;
      const was = from.get(kind);
      if (was !== undefined) ctx.addIssue({ code: 'custom', path: ['sources', i, 'streams', kind], message: `${kind} events already come from ${was}: give each kind one source` });
      else from.set(kind, `sources.${i}.streams.${kind}`);
    }
  });
  if (from.size === 0) ctx.addIssue({ code: 'custom', path: ['topics'], message: 'expected at least one of login, order, trade, transfer (here or under sources)' });
}
