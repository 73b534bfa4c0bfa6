// Avro binary straight to events: one reader per kind, generated once from Cepheus's own
// record type, that reads the bytes in place (no Tap, no intermediate record, no subarray)
// and builds the event in its canonical shape (`kind`, then the schema's fields in order: the
// shape eventFromAvro builds, one V8 shape per kind).
//
//   bytes ─► varints, doubles, enums, ["null", X] unions, strings ─► checks ─► { kind, ... }
//                                                  │
//                                  ASCII strings of repeated fields come from an intern
//                                  table (interner.ts): the same string object every time,
//                                  so the engine's key maps hash it once and compare pointers
//
// The reader only ever returns a valid event, equal to what avsc's `fromBuffer` followed by
// eventFromAvro gives for the same bytes: it mirrors avsc's reads (its varint arithmetic, its
// `!!byte` booleans, utf8Slice for non-ASCII strings) and returns undefined on anything else
// (truncated or trailing bytes, a bad enum or union index, an unsafe long, a value rule that
// fails). The caller then takes the avsc path, which produces the same result or error as
// before, so the fast path changes speed, never outcomes.
import type avro from 'avsc';
import type { AnyEvent, EventKind } from '../events/types.ts';
import { Interner } from './interner.ts';
import { valueRulesOf } from './validate-event.ts';

/** Reads one record at `c.pos` (not past `c.end`) and moves `c.pos` after it; undefined: take the slow path. */
export type FastRead = (buf: Buffer, c: AvroCursor) => AnyEvent | undefined;

/** Where a reader is in a buffer. */
export class AvroCursor {
  pos = 0;
  end = 0;
}

/** Fields whose values are (nearly) unique per event: interning them would only cost. */
const UNIQUE = new Set(['id', 'orderId', 'reference']);

interface AvroTypeLike {
  readonly typeName: string;
  readonly symbols?: readonly string[];
  readonly types?: readonly AvroTypeLike[];
  readonly fields?: readonly { readonly name: string; readonly type: AvroTypeLike }[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

// avsc's Tap.readLong, inlined, with a bounds check per byte (`U`: give up).
const varint = (to: string): string => `
  n = 0; k = 0;
  do { if (p >= end) return U; b = buf[p++]; h = b & 0x80; n |= (b & 0x7f) << k; k += 7; } while (h && k < 28);
  if (h) { f = n; fk = 268435456; do { if (p >= end) return U; b = buf[p++]; f += (b & 0x7f) * fk; fk *= 128; } while (b & 0x80); ${to} = (f % 2 ? -(f + 1) : f) / 2; }
  else ${to} = (n >> 1) ^ -(n & 1);`;

/** Code that reads one value of type `t` into `to`; undefined when the type is not handled. */
function readerOf(t: AvroTypeLike, to: string, field: string, consts: unknown[]): string | undefined {
  const constant = (v: unknown): string => {
    consts.push(v);
    return `C[${consts.length - 1}]`;
  };
  switch (t.typeName) {
    case 'null':
      return `${to} = null;`;
    case 'boolean':
      return `if (p >= end) return U; ${to} = !!buf[p++];`;
    case 'long':
      return `${varint(to)}\n  if (!(${to} >= -9007199254740990 && ${to} <= 9007199254740990)) return U;`;
    case 'int':
      return varint(to);
    case 'double':
      return `if (p + 8 > end) return U; ${to} = buf.readDoubleLE(p); p += 8;`;
    case 'enum': {
      const syms = constant(t.symbols);
      return `${varint('i')}\n  ${to} = ${syms}[i]; if (${to} === undefined) return U;`;
    }
    case 'string': {
      const slice = `buf.utf8Slice(p, p + len)`;
      const value = UNIQUE.has(field) ? slice : `(s = ${constant(new Interner())}.get(buf, p, len)) === undefined ? ${slice} : s`;
      return `${varint('len')}\n  if (len < 0 || p + len > end) return U; ${to} = ${value}; p += len;`;
    }
    case 'union:unwrapped': {
      const branches = (t.types ?? []).map((b) => readerOf(b, to, field, consts));
      if (branches.some((b) => b === undefined)) return undefined;
      return `${varint('i')}\n  ${branches.map((b, i) => `${i === 0 ? '' : 'else '}if (i === ${i}) { ${b as string} }`).join(' ')} else return U;`;
    }
    default:
      return undefined;
  }
}

/**
 * The fast reader of `kind`'s records written with `type` (Cepheus's own record type for the
 * kind), or undefined when the record uses a type this reader does not handle.
 */
export function fastReaderOf(kind: EventKind, type: avro.Type): FastRead | undefined {
  const t = type as unknown as AvroTypeLike;
  if (t.typeName !== 'record' || t.fields === undefined) return undefined;
  const consts: unknown[] = [];
  const reads: string[] = [];
  const names: string[] = [];
  for (const [i, f] of t.fields.entries()) {
    if (!IDENT.test(f.name)) return undefined;
    const r = readerOf(f.type, `v${i}`, f.name, consts);
    if (r === undefined) return undefined;
    reads.push(`  // ${f.name}\n  ${r}`);
    names.push(f.name);
  }
  // The value rules and finite doubles eventFromAvro checks: a failure takes the slow path,
  // which reports it as before.
  const checks: string[] = [];
  t.fields.forEach((f, i) => {
    if (f.type.typeName === 'double') checks.push(`if (!Number.isFinite(v${i})) return U;`);
  });
  for (const [name, test] of valueRulesOf(kind)) {
    const i = names.indexOf(name);
    if (i < 0) return undefined;
    consts.push(test);
    checks.push(`if (!C[${consts.length - 1}](v${i})) return U;`);
  }
  const body = `
const U = undefined;
return function read(buf, c) {
  let p = c.pos; const end = c.end;
  let n, k, b, h, f, fk, i, len, s;
  let ${names.map((_, i) => `v${i}`).join(', ')};
${reads.join('\n')}
  ${checks.join('\n  ')}
  c.pos = p;
  return { kind: ${JSON.stringify(kind)}, ${names.map((n, i) => `${n}: v${i}`).join(', ')} };
};`;
  // Generated once per kind from the schema's own field names (identifiers, checked above).
  return new Function('C', body)(consts) as FastRead;
}
