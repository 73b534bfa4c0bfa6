// Kafka record values to events, as the shard workers decode them. Two formats per topic:
//
//   confluent  byte 0 magic 0x00, bytes 1..4 schema id (int32 BE, registry id), then the
//              record in Avro binary written with that schema (any kind the topic carries)
//   avro       the record alone in Avro binary, written with the topic's configured schema
//
// A writer schema that differs from Cepheus's own (schemas/<kind>.avsc) is read through an
// Avro resolver (new optional fields, reordered fields, ...), built once per schema id. Every
// failure is an InputError with a code (dead-lettered by the service), never a throw.
import avro from 'avsc';
import type { AnyEvent, EventKind } from '../events/types.ts';
import { AvroCursor, fastReaderOf } from './avro-fast.ts';
import type { FastRead } from './avro-fast.ts';
import { recordTypeOf } from './confluent-frame.ts';
import { KIND_BY_NAME } from './event-schema.ts';
import { inputError } from './input-error.ts';
import type { InputError } from './input-error.ts';
import { eventFromAvro } from './validate-event.ts';

/** A writer schema as the registry (or the topic's config) gives it. */
export interface WriterSchema {
  readonly id: number;
  /** The Avro schema JSON; null means Cepheus's own schema for `kind`. */
  readonly schema: string | null;
}

/** A writer schema as the service hands it to the shard decoders. */
export interface SchemaSpec extends WriterSchema {
  /** Kind of a plain-Avro topic's schema when `schema` is null (Cepheus's own). */
  readonly kind?: EventKind;
}

interface Reader {
  readonly kind: EventKind;
  readonly type: avro.Type;
  readonly resolver: avro.Resolver | undefined;
  /** Bytes written with Cepheus's own schema: read in place (avro-fast.ts); avsc when it gives up. */
  readonly fast: FastRead | undefined;
}

type Resolution = Reader | { readonly error: InputError['code']; readonly why: string };

/** The event kind a writer schema is a record of (by full or short record name). */
export function kindOfSchema(schema: string | null, fallback?: EventKind): EventKind | undefined {
  if (schema === null) return fallback;
  try {
    const s = JSON.parse(schema) as { type?: unknown; name?: unknown; namespace?: unknown };
    if (s.type !== 'record' || typeof s.name !== 'string') return undefined;
    const full = s.name.includes('.') || typeof s.namespace !== 'string' ? s.name : `${s.namespace}.${s.name}`;
    return KIND_BY_NAME.get(full) ?? KIND_BY_NAME.get(full.slice(full.lastIndexOf('.') + 1));
  } catch {
    return undefined;
  }
}

const fastReaders = new Map<EventKind, FastRead | undefined>();
/** One fast reader per kind and process: its intern tables are shared by every schema id of the kind. */
function fastOf(kind: EventKind): FastRead | undefined {
  if (!fastReaders.has(kind)) fastReaders.set(kind, fastReaderOf(kind, recordTypeOf(kind)));
  return fastReaders.get(kind);
}

function resolve(schema: string | null, kind: EventKind): Resolution {
  const type = recordTypeOf(kind);
  if (schema === null) return { kind, type, resolver: undefined, fast: fastOf(kind) };
  try {
    const writer = avro.Type.forSchema(JSON.parse(schema) as avro.Schema, { wrapUnions: 'auto' });
    if (writer.equals(type)) return { kind, type, resolver: undefined, fast: fastOf(kind) };
    return { kind, type, resolver: type.createResolver(writer), fast: undefined };
  } catch (err) {
    return { error: 'CEP_ERR_INPUT_SCHEMA_INCOMPATIBLE', why: `cannot read it as Cepheus's ${kind} schema: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export class KafkaValueDecoder {
  private readonly byId = new Map<number, Resolution>();
  /** Kinds each topic may carry (by topic name). */
  private readonly kinds: ReadonlyMap<string, readonly EventKind[]>;
  private readonly cursor = new AvroCursor();

  constructor(kindsByTopic: ReadonlyMap<string, readonly EventKind[]>) {
    this.kinds = kindsByTopic;
  }

  /** Registers a writer schema (idempotent). Unknown record names resolve to an error. */
  add(ws: WriterSchema, fallbackKind?: EventKind): void {
    if (this.byId.has(ws.id)) return;
    const kind = kindOfSchema(ws.schema, fallbackKind);
    this.byId.set(ws.id, kind === undefined
      ? { error: 'CEP_ERR_INPUT_SCHEMA_KIND', why: 'its writer schema is not a Cepheus event record (login, order, trade or transfer)' }
      : resolve(ws.schema, kind));
  }

  has(id: number): boolean {
    return this.byId.has(id);
  }

  /** A Confluent-framed value of `topic`. `where` is topic/partition, `offset` its position. */
  decodeFramed(value: Buffer, topic: string, where: string, offset: number): AnyEvent | InputError {
    if (value.length === 0) return inputError('CEP_ERR_INPUT_EMPTY', where, offset, 'offset', 'empty value (a tombstone?); events need a value');
    if (value.length < 5 || value[0] !== 0) {
      return inputError('CEP_ERR_INPUT_FRAME', where, offset, 'offset', `not Confluent-framed: expected magic byte 0 and a 4-byte schema id, got ${value.length < 5 ? `${value.length} bytes` : `first byte ${value[0]}`}`);
    }
    const id = value.readInt32BE(1);
    const r = this.byId.get(id);
    if (r === undefined) return inputError('CEP_ERR_INPUT_SCHEMA_UNKNOWN', where, offset, 'offset', `schema id ${id} is not in the schema registry`);
    return this.read(r, value, 5, topic, where, offset, `schema id ${id}`);
  }

  /** A plain Avro value written with the topic's schema (registered with `add` under `id`). */
  decodePlain(value: Buffer, id: number, topic: string, where: string, offset: number): AnyEvent | InputError {
    if (value.length === 0) return inputError('CEP_ERR_INPUT_EMPTY', where, offset, 'offset', 'empty value (a tombstone?); events need a value');
    const r = this.byId.get(id);
    if (r === undefined) return inputError('CEP_ERR_INPUT_SCHEMA_UNKNOWN', where, offset, 'offset', `no schema configured for topic ${topic}`);
    return this.read(r, value, 0, topic, where, offset, `the schema of ${topic}`);
  }

  /** The record at `from` to the end of `value`. */
  private read(r: Resolution, value: Buffer, from: number, topic: string, where: string, offset: number, what: string): AnyEvent | InputError {
    if ('error' in r) return inputError(r.error, where, offset, 'offset', `${what}: ${r.why}`);
    const allowed = this.kinds.get(topic);
    if (allowed !== undefined && !allowed.includes(r.kind)) {
      return inputError('CEP_ERR_INPUT_SCHEMA_KIND', where, offset, 'offset', `${what} is a ${r.kind}, but topic ${topic} is configured for ${allowed.join(', ')}`);
    }
    if (r.fast !== undefined) {
      const c = this.cursor;
      c.pos = from;
      c.end = value.length;
      const e = r.fast(value, c);
      // The whole value is one record (avsc: 'trailing data' otherwise).
      if (e !== undefined && c.pos === c.end) return e;
    }
    let raw: unknown;
    try {
      raw = r.type.fromBuffer(from === 0 ? value : value.subarray(from), r.resolver);
    } catch (err) {
      return inputError('CEP_ERR_INPUT_AVRO_DECODE', where, offset, 'offset', `cannot decode as ${r.kind} with ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return eventFromAvro(raw as Record<string, unknown>, r.kind, { file: where, record: offset, unit: 'offset' });
  }
}
