// Kafka-ready values in the Confluent wire format (decoding is io/kafka-value.ts, the one
// decoder the service, tests and bench share), for producing events into topics whose
// value schema is one event record (a subject per kind, registered from schemas/<kind>.avsc):
//
//   byte 0      magic 0x00
//   bytes 1..4  schema id, int32 big-endian (the id the registry gave the kind's schema)
//   bytes 5..   the record, Avro binary, no union index (the topic's schema is the record)
import type { AnyEvent, EventKind } from '../events/types.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type avro from 'avsc';
import { EVENT_UNION_TYPE } from './event-schema.ts';
import { CepError } from '../core/errors.ts';

const BRANCHES = (EVENT_UNION_TYPE as unknown as { types: avro.Type[] }).types;
const TYPE_OF = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, BRANCHES[i] as avro.Type])) as Record<EventKind, avro.Type>;

/** The avsc type of one kind's record (what a per-kind topic's value schema holds). */
export function recordTypeOf(kind: EventKind): avro.Type {
  return TYPE_OF[kind];
}

/** One event as a Confluent-framed Kafka value. */
export function encodeConfluentValue(event: AnyEvent, schemaId: number): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) throw new CepError('CEP_ERR_SCHEMA_ID', `schema id must be an int32 >= 0 (got ${schemaId})`);
  const body = TYPE_OF[event.kind].toBuffer(event);
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}
