// Turns the Avro schemas in schemas/*.avsc into TypeScript event types.
// The .avsc files are the source of truth; src/events/generated.ts is this module's
// output, committed, and test/unit/events/codegen.test.ts fails when the two drift.
import { CepError } from '../core/errors.ts';

export interface AvroField {
  readonly name: string;
  readonly type: AvroType;
  readonly doc?: string;
}
export type AvroType =
  | string
  | readonly AvroType[]
  | { readonly type: 'record'; readonly name: string; readonly fields: readonly AvroField[]; readonly doc?: string }
  | { readonly type: 'enum'; readonly name: string; readonly symbols: readonly string[] }
  | { readonly type: 'array'; readonly items: AvroType }
  | { readonly type: 'map'; readonly values: AvroType }
  | { readonly type: string; readonly logicalType?: string };

export interface EventSchema {
  /** The event's kind tag, e.g. `trade`; also the schema's file name. */
  readonly kind: string;
  readonly schema: { readonly type: 'record'; readonly name: string; readonly doc?: string; readonly fields: readonly AvroField[] };
}

function tsType(t: AvroType): string {
  if (typeof t === 'string') {
    switch (t) {
      case 'string': return 'string';
      case 'boolean': return 'boolean';
      case 'int': case 'long': case 'float': case 'double': return 'number';
      case 'null': return 'null';
      case 'bytes': return 'Uint8Array';
      default: throw new CepError('CEP_ERR_CODEGEN_TYPE', `named type reference '${t}' is not supported; define the type inline`);
    }
  }
  if (Array.isArray(t)) return (t as readonly AvroType[]).map(tsType).join(' | ');
  const o = t as { type: string; logicalType?: string; symbols?: readonly string[]; items?: AvroType; values?: AvroType };
  if (o.type === 'enum' && o.symbols) return o.symbols.map((s) => `'${s}'`).join(' | ');
  if (o.type === 'array' && o.items) return `readonly (${tsType(o.items)})[]`;
  if (o.type === 'map' && o.values) return `Readonly<Record<string, ${tsType(o.values)}>>`;
  if (o.type === 'long' && o.logicalType === 'timestamp-millis') return 'EventTimeMs';
  return tsType(o.type);
}

const pascal = (kind: string): string => kind.charAt(0).toUpperCase() + kind.slice(1);

/** Generates the TypeScript source for the given schemas (sorted by kind). */
export function generateEventTypes(schemas: readonly EventSchema[]): string {
  const sorted = [...schemas].sort((a, b) => a.kind.localeCompare(b.kind));
  const out: string[] = [
    '// GENERATED from schemas/*.avsc by `npm run gen:types`. Do not edit by hand:',
    '// change the .avsc and regenerate; a unit test fails when this file drifts.',
    '',
    "import type { EventTimeMs } from './time.ts';",
    '',
  ];
  for (const { kind, schema } of sorted) {
    const name = pascal(kind);
    if (schema.doc) out.push(`/** ${schema.doc} */`);
    out.push(`export interface ${name} {`);
    out.push(`  readonly kind: '${kind}';`);
    for (const f of schema.fields) {
      if (f.doc) out.push(`  /** ${f.doc} */`);
      out.push(`  readonly ${f.name}: ${tsType(f.type)};`);
    }
    out.push('}', '');
  }
  out.push('/** Every event kind and its type. */');
  out.push('export interface EventKinds {');
  for (const { kind } of sorted) out.push(`  readonly ${kind}: ${pascal(kind)};`);
  out.push('}', '');
  out.push(`export const EVENT_KINDS = [${sorted.map((s) => `'${s.kind}'`).join(', ')}] as const;`);
  out.push('');
  return out.join('\n');
}
