// Kafka-ready values in the Confluent wire format, for producing fixtures into topics whose
// value schema is one event record (a subject per kind, registered from schemas/<kind>.avsc):
//
//   byte 0      magic 0x00
//   bytes 1..4  schema id, int32 big-endian (the id the registry gave the kind's schema)
//   bytes 5..   the record, Avro binary, no union index (the topic's schema is the record)
import type { AnyEvent, EventKind } from '../events/types.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type avro from 'avsc';
import { EVENT_UNION_TYPE } from './event-schema.ts';
import { InputErrorCodes, inputError } from './input-error.ts';
import type { InputError } from './input-error.ts';
import { eventFromAvro } from './validate-event.ts';

const BRANCHES = (EVENT_UNION_TYPE as unknown as { types: avro.Type[] }).types;
const TYPE_OF = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, BRANCHES[i] as avro.Type])) as Record<EventKind, avro.Type>;

/** The avsc type of one kind's record (what a per-kind topic's value schema holds). */
export function recordTypeOf(kind: EventKind): avro.Type {
  return TYPE_OF[kind];
}

/** One event as a Confluent-framed Kafka value. */
export function encodeConfluentValue(event: AnyEvent, schemaId: number): Buffer {
  if (!Number.isInteger(schemaId) || schemaId < 0 || schemaId > 0x7fffffff) throw new RangeError(`CEP_ERR_SCHEMA_ID: schema id must be an int32 >= 0 (got ${schemaId})`);
  const body = TYPE_OF[event.kind].toBuffer(event);
  const out = Buffer.allocUnsafe(5 + body.length);
  out[0] = 0;
  out.writeInt32BE(schemaId, 1);
  body.copy(out, 5);
  return out;
}

/**
 * Decodes a Confluent-framed value whose schema id `kindOf` maps to an event kind (schemas
 * written by another producer should go through the registry-aware decoder instead).
 * `record` numbers the value in error messages (e.g. the offset).
 */
export function decodeConfluentValue(value: Buffer, kindOf: (schemaId: number) => EventKind | undefined, source = 'kafka', record = 0): AnyEvent | InputError {
  const at = { file: source, record, unit: 'record' } as const;
  if (value.length < 5 || value[0] !== 0) return inputError(InputErrorCodes.JSON, source, record, 'record', 'not a Confluent-framed value (magic byte 0 and a 4-byte schema id expected)');
  const id = value.readInt32BE(1);
  const kind = kindOf(id);
  if (kind === undefined) return inputError(InputErrorCodes.KIND, source, record, 'record', `schema id ${id} is not an event kind this decoder knows`);
  let raw: unknown;
  try {
    raw = TYPE_OF[kind].fromBuffer(value.subarray(5));
  } catch (err) {
    return inputError(InputErrorCodes.FIELD_TYPE, source, record, 'record', `cannot decode as ${kind}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return eventFromAvro(raw as Record<string, unknown>, kind, at);
}
