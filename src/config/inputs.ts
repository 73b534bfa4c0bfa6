// The input topics as the service reads them, derived from the config's `topics:` section:
// which kinds each topic carries, its format, and for plain-Avro topics the writer schema
// (registered in the decoders under a negative id of its own). Checked at start.
import { readFileSync } from 'node:fs';
import type { Config } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type { EventKind } from '../events/types.ts';
import { kindOfSchema } from '../io/kafka-value.ts';
import type { SchemaSpec } from '../io/kafka-value.ts';

export interface InputTopic {
  readonly topic: string;
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
  const byTopic = new Map<string, { kinds: EventKind[]; format: 'confluent' | 'avro'; schema: string | undefined }>();
  for (const kind of EVENT_KINDS) {
    const t = c.topics[kind];
    if (t === undefined) continue;
    const spec = typeof t === 'string' ? { topic: t, format: 'confluent' as const, schema: undefined } : t;
    const cur = byTopic.get(spec.topic);
    if (cur === undefined) byTopic.set(spec.topic, { kinds: [kind], format: spec.format, schema: spec.schema });
    else {
      cur.kinds.push(kind);
      if (cur.format !== spec.format) problems.push(`topics.${kind}: topic ${spec.topic} is configured with two formats (${cur.format}, ${spec.format})`);
    }
  }
  const topics: InputTopic[] = [];
  const plainSchemas: SchemaSpec[] = [];
  for (const [topic, t] of byTopic) {
    let schemaId = 0;
    if (t.format === 'avro') {
      if (t.kinds.length > 1) problems.push(`topics: plain-Avro topic ${topic} is configured for ${t.kinds.join(' and ')}; a plain record cannot say its kind: give each kind its own topic or use format confluent`);
      schemaId = -1 - plainSchemas.length;
      const kind = t.kinds[0] as EventKind;
      let schema: string | null = null;
      if (t.schema !== undefined) {
        try {
          schema = readFileSync(t.schema, 'utf8');
          if (kindOfSchema(schema) !== kind) problems.push(`topics.${kind}.schema: ${t.schema} is not an Avro record of a ${kind} event`);
        } catch (err) {
          problems.push(`topics.${kind}.schema: cannot read ${t.schema}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      plainSchemas.push({ id: schemaId, schema, kind });
    }
    topics.push({ topic, kinds: t.kinds, format: t.format, schemaId });
  }
  if (c.registry === null && topics.some((t) => t.format === 'confluent')) {
    problems.push(`registry.url: Confluent-framed topics (${topics.filter((t) => t.format === 'confluent').map((t) => t.topic).join(', ')}) need a schema registry; set registry.url or use format avro`);
  }
  if (problems.length > 0) throw new CepError('CEP_ERR_CONFIG', 'the input topics are misconfigured; fix these and start again', problems);
  return { topics, plainSchemas };
}
