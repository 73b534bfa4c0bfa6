// The input topics as the service reads them, derived from the config's `topics:` section and
// the streams of its `sources:` (a RabbitMQ stream is an input named rabbitmq-stream:<stream>):
// which kinds each carries, its format, and for plain-Avro inputs the writer schema
// (registered in the decoders under a negative id of its own). Checked at start.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type { EventKind } from '../events/types.ts';
import { kindOfSchema } from '../io/kafka-value.ts';
import type { SchemaSpec } from '../io/kafka-value.ts';
import { rabbitStreamTopic } from './sources.ts';

/** A stream of the `sources:` entry at `source` (inputs without one are Kafka topics). */
export interface InputOrigin {
  readonly type: 'rabbitmq-stream';
  readonly source: number;
  readonly stream: string;
}

export interface InputTopic {
  /** The Kafka topic, or rabbitmq-stream:<stream>. */
  readonly topic: string;
  /** A stream of `sources:`; absent for a Kafka topic. */
  readonly from?: InputOrigin;
  readonly kinds: readonly EventKind[];
  readonly format: 'confluent' | 'avro';
  /** For `avro`: the decoder id of the topic's writer schema. */
  readonly schemaId: number;
}

export interface Inputs {
  /** In config order (login, order, trade, transfer, first appearance). */
  readonly topics: readonly InputTopic[];
  /** Writer schemas of plain-Avro topics, for the shard decoders. */
  readonly plainSchemas: readonly SchemaSpec[];
}

export function inputsOf(c: Config): Inputs {
  const problems: string[] = [];
  const byTopic = new Map<string, { kinds: EventKind[]; format: 'confluent' | 'avro'; schema: string | undefined; from: InputOrigin | undefined; key: string }>();
  const add = (kind: EventKind, key: string, topic: string, format: 'confluent' | 'avro', schema: string | undefined, from: InputOrigin | undefined): void => {
    const cur = byTopic.get(topic);
    if (cur === undefined) byTopic.set(topic, { kinds: [kind], format, schema, from, key });
    else {
      cur.kinds.push(kind);
      if (cur.format !== format) problems.push(`${key}: ${from === undefined ? 'topic ' : ''}${topic} is configured with two formats (${cur.format}, ${format})`);
    }
  };
  for (const kind of EVENT_KINDS) {
    const t = c.topics[kind];
    if (t === undefined) continue;
    const spec = typeof t === 'string' ? { topic: t, format: 'confluent' as const, schema: undefined } : t;
    add(kind, `topics.${kind}`, spec.topic, spec.format, spec.schema, undefined);
  }
  c.sources.forEach((src, source) => {
    for (const kind of EVENT_KINDS) {
      const t = src.streams[kind];
      if (t === undefined) continue;
      const spec = typeof t === 'string' ? { stream: t, format: 'confluent' as const, schema: undefined } : t;
      const topic = rabbitStreamTopic(spec.stream);
      const other = byTopic.get(topic);
      if (other !== undefined && other.from?.source !== source) {
        problems.push(`sources.${source}.streams.${kind}: stream ${spec.stream} is already read from ${other.key}`);
        continue;
      }
      add(kind, `sources.${source}.streams.${kind}`, topic, spec.format, spec.schema, { type: 'rabbitmq-stream', source, stream: spec.stream });
    }
  });
  const topics: InputTopic[] = [];
  const plainSchemas: SchemaSpec[] = [];
  for (const [topic, t] of byTopic) {
    let schemaId = 0;
    if (t.format === 'avro') {
      if (t.kinds.length > 1) problems.push(`${t.key.replace(/\.[a-z]+$/, '')}: plain-Avro ${t.from === undefined ? 'topic ' : ''}${topic} is configured for ${t.kinds.join(' and ')}; a plain record cannot say its kind: give each kind its own topic or use format confluent`);
      schemaId = -1 - plainSchemas.length;
      const kind = t.kinds[0] as EventKind;
      let schema: string | null = null;
      if (t.schema !== undefined) {
        try {
          schema = readFileSync(t.schema, 'utf8');
          if (kindOfSchema(schema) !== kind) problems.push(`${t.key}.schema: ${t.schema} is not an Avro record of a ${kind} event`);
        } catch (err) {
          problems.push(`${t.key}.schema: cannot read ${t.schema}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      plainSchemas.push({ id: schemaId, schema, kind });
    }
    topics.push({ topic, ...(t.from === undefined ? {} : { from: t.from }), kinds: t.kinds, format: t.format, schemaId });
  }
  if (c.registry === null && topics.some((t) => t.format === 'confluent')) {
    problems.push(`registry.url: Confluent-framed topics (${topics.filter((t) => t.format === 'confluent').map((t) => t.topic).join(', ')}) need a schema registry; set registry.url or use format avro`);
  }
  if (problems.length > 0) throw new CepError('CEP_ERR_CONFIG', 'the input topics are misconfigured; fix these and start again', problems);
  return { topics, plainSchemas };
}
