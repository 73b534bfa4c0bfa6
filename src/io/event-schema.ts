// The Avro side of the event model for files: the four record schemas (schemas/*.avsc) as
// one top-level union, and a flat field table per kind that writers and validators share.
//
// Container files hold ONE interleaved stream with writer schema
//   ["io.cepheus.events.Login", "io.cepheus.events.Order", "io.cepheus.events.Trade", "io.cepheus.events.Transfer"]
// so file order is delivery order (disorder included) and a replay needs no k-way merge.
import avro from 'avsc';
import { loadEventSchemas } from '../events/schemas.ts';
import { EVENT_KINDS } from '../events/types.ts';
import type { EventKind } from '../events/types.ts';
import { CepError } from '../core/errors.ts';

/** How one field is checked: derived from its Avro type. */
export type FieldCheck =
  | { readonly type: 'string' | 'boolean' | 'double' | 'long' }
  | { readonly type: 'enum'; readonly symbols: readonly string[] };

export interface FieldSpec {
  readonly name: string;
  readonly check: FieldCheck;
  /** A `["null", X]` union: null is allowed, and a missing JSON field reads as null. */
  readonly nullable: boolean;
}

export interface KindSpec {
  readonly kind: EventKind;
  /** Full Avro name, e.g. io.cepheus.events.Login. */
  readonly fullName: string;
  readonly fields: readonly FieldSpec[];
}

interface AvroField { readonly name: string; readonly type: unknown }
interface AvroRecord { readonly name: string; readonly namespace?: string; readonly fields: readonly AvroField[] }

function checkOf(t: unknown, where: string): FieldCheck {
  if (t === 'string' || t === 'boolean' || t === 'double' || t === 'long') return { type: t };
  if (typeof t === 'object' && t !== null && !Array.isArray(t)) {
    const o = t as { type?: unknown; symbols?: unknown };
    if (o.type === 'enum' && Array.isArray(o.symbols)) return { type: 'enum', symbols: o.symbols as string[] };
    if (o.type === 'long') return { type: 'long' };
  }
  throw new CepError('CEP_ERR_SCHEMA_UNSUPPORTED', `field ${where} has an Avro type the file readers do not handle: ${JSON.stringify(t)}`);
}

function fieldSpec(f: AvroField, record: string): FieldSpec {
  if (Array.isArray(f.type)) {
    const rest = f.type.filter((x) => x !== 'null');
    if (f.type.length !== 2 || rest.length !== 1) throw new CepError('CEP_ERR_SCHEMA_UNSUPPORTED', `${record}.${f.name}: only ["null", X] unions are supported`);
    return { name: f.name, check: checkOf(rest[0], `${record}.${f.name}`), nullable: true };
  }
  return { name: f.name, check: checkOf(f.type, `${record}.${f.name}`), nullable: false };
}

const loaded = loadEventSchemas();

function recordSchema(kind: EventKind): AvroRecord {
  const s = loaded.find((x) => x.kind === kind);
  if (s === undefined) throw new CepError('CEP_ERR_SCHEMA_MISSING', `no schemas/${kind}.avsc`);
  return s.schema as unknown as AvroRecord;
}

/** Per-kind field tables in schema field order (which is also the JSON Lines key order). */
export const KIND_SPECS: Readonly<Record<EventKind, KindSpec>> = Object.fromEntries(EVENT_KINDS.map((kind) => {
  const r = recordSchema(kind);
  const fullName = `${r.namespace ?? ''}${r.namespace === undefined ? '' : '.'}${r.name}`;
  return [kind, { kind, fullName, fields: r.fields.map((f) => fieldSpec(f, r.name)) }];
})) as unknown as Record<EventKind, KindSpec>;

/** The container file schema: a union of the four records, in EVENT_KINDS order. */
export const EVENT_UNION_SCHEMA: readonly object[] = EVENT_KINDS.map((k) => recordSchema(k) as unknown as object);

/** avsc type of the union. Nullable fields decode unwrapped (null or value); the top-level
 *  union is wrapped ({ 'io.cepheus.events.Login': {...} }) since its branches are all records. */
export const EVENT_UNION_TYPE: avro.Type = avro.Type.forSchema(EVENT_UNION_SCHEMA as avro.Schema, { wrapUnions: 'auto' });

/** Record full name → kind, also by short name so single-record exports resolve. */
export const KIND_BY_NAME: ReadonlyMap<string, EventKind> = new Map(EVENT_KINDS.flatMap((k) => {
  const full = KIND_SPECS[k].fullName;
  return [[full, k], [full.slice(full.lastIndexOf('.') + 1), k]] as [string, EventKind][];
}));
