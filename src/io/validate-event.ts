// Checks one decoded record against the event schemas and rebuilds it as a plain object in
// canonical shape: `kind` first, then the schema's fields in schema order, nothing else.
// Unknown extra fields are dropped; a missing field whose Avro type is ["null", X] reads as null.
import { EVENT_KINDS } from '../events/types.ts';
import type { AnyEvent, EventKind } from '../events/types.ts';
import { KIND_SPECS } from './event-schema.ts';
import type { FieldCheck } from './event-schema.ts';
import { inputError } from './input-error.ts';
import type { InputError } from './input-error.ts';
import { CepError } from '../core/errors.ts';

export interface RecordPosition {
  readonly file: string;
  readonly record: number;
  readonly unit: 'line' | 'record' | 'offset';
}

/** Event times outside [2000-01-01, 2100-01-01) are mistakes (seconds for ms, a zero, a typo). */
export const EVENT_TIME_RANGE = { min: 946_684_800_000, max: 4_102_444_800_000 } as const;

type ValueRule = readonly [field: string, test: (v: never) => boolean, what: string];
const positive = (v: number): boolean => v > 0 && v !== Infinity;
const nonNegative = (v: number): boolean => v >= 0 && v !== Infinity;
const nonEmpty = (v: string): boolean => v.length > 0;
const COMMON: readonly ValueRule[] = [
  ['id', nonEmpty, 'must not be empty'],
  ['ts', (v: number) => v >= EVENT_TIME_RANGE.min && v < EVENT_TIME_RANGE.max, 'must be ms since epoch between 2000 and 2100 (seconds instead of ms?)'],
  ['account', nonEmpty, 'must not be empty'],
];
/** What a schema cannot say: values no real event has. */
const VALUE_RULES: Readonly<Record<EventKind, readonly ValueRule[]>> = {
  login: [...COMMON],
  order: [...COMMON, ['qty', nonNegative, 'must be >= 0'], ['price', nonNegative, 'must be >= 0 (0 for market orders)'], ['filledQty', nonNegative, 'must be >= 0']],
  trade: [...COMMON, ['qty', positive, 'must be > 0'], ['price', positive, 'must be > 0'], ['notional', positive, 'must be > 0']],
  transfer: [...COMMON, ['amount', positive, 'must be > 0']],
};

/** The value rules of a kind, as (field, test) pairs (the fast Avro reader runs them too). */
export function valueRulesOf(kind: EventKind): readonly (readonly [string, (v: never) => boolean])[] {
  return VALUE_RULES[kind].map(([name, test]) => [name, test] as const);
}

const isKind = (k: unknown): k is EventKind => typeof k === 'string' && (EVENT_KINDS as readonly string[]).includes(k);

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Why `v` does not pass `check`, or undefined when it does. */
function mismatch(check: FieldCheck, v: unknown): string | undefined {
  switch (check.type) {
    case 'string':
      return typeof v === 'string' ? undefined : `expected a string, got ${show(v)}`;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : `expected true or false, got ${show(v)}`;
    case 'double':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : `expected a finite number, got ${show(v)}`;
    case 'long':
      return Number.isSafeInteger(v) ? undefined : `expected a whole number (timestamps are ms since epoch), got ${show(v)}`;
    case 'enum':
      return typeof v === 'string' && check.symbols.includes(v) ? undefined : `expected one of ${check.symbols.join(' | ')}, got ${show(v)}`;
    default: {
      const never: never = check;
      return `unsupported check ${show(never)}`;
    }
  }
}

/**
 * Validates `raw` as an event. `kind` is the record's kind when the format already says it
 * (Avro union branch); otherwise it is read from `raw.kind`.
 */
export function validateEvent(raw: unknown, at: RecordPosition, kind?: EventKind): AnyEvent | InputError {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return inputError('CEP_ERR_INPUT_JSON', at.file, at.record, at.unit, `expected a JSON object, got ${show(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  const k = kind ?? o['kind'];
  if (!isKind(k)) {
    const what = k === undefined ? `no 'kind' field; add "kind": one of ${EVENT_KINDS.join(' | ')}` : `unknown kind ${show(k)}; expected one of ${EVENT_KINDS.join(' | ')}`;
    return inputError('CEP_ERR_INPUT_KIND', at.file, at.record, at.unit, what, 'kind');
  }
  const out: Record<string, unknown> = { kind: k };
  for (const f of KIND_SPECS[k].fields) {
    const v = o[f.name];
    if (v === undefined) {
      if (f.nullable) {
        out[f.name] = null;
        continue;
      }
      return inputError('CEP_ERR_INPUT_FIELD_MISSING', at.file, at.record, at.unit, `missing in this ${k} event`, f.name);
    }
    if (v === null && f.nullable) {
      out[f.name] = null;
      continue;
    }
    const why = mismatch(f.check, v);
    if (why !== undefined) return inputError('CEP_ERR_INPUT_FIELD_TYPE', at.file, at.record, at.unit, `${why}${f.nullable ? ' (or null)' : ''}`, f.name);
    out[f.name] = v;
  }
  for (const [name, test, what] of VALUE_RULES[k]) {
    const v = out[name];
    if (!(test as (x: unknown) => boolean)(v)) return inputError('CEP_ERR_INPUT_VALUE', at.file, at.record, at.unit, `${what}, got ${show(v)}`, name);
  }
  return out as unknown as AnyEvent;
}

/**
 * An event from a record Avro already decoded with Cepheus's schema for `kind` (directly or
 * through a resolver): the types hold by construction, so only the canonical shape is built
 * and the value rules (and finite doubles, which Avro does not guarantee) are checked. The
 * fast path of the Kafka decoders; files go through validateEvent.
 */
export function eventFromAvro(raw: Readonly<Record<string, unknown>>, kind: EventKind, at: RecordPosition): AnyEvent | InputError {
  const spec = FAST[kind];
  const out = spec.build(raw);
  const doubles = spec.doubles;
  for (let i = 0; i < doubles.length; i++) {
    const name = doubles[i] as string;
    const v = out[name] as number;
    if (v !== null && !Number.isFinite(v)) return inputError('CEP_ERR_INPUT_FIELD_TYPE', at.file, at.record, at.unit, `expected a finite number, got ${String(v)}`, name);
  }
  const rules = spec.rules;
  for (let i = 0; i < rules.length; i++) {
    const [name, test, what] = rules[i] as ValueRule;
    const v = out[name];
    if (!(test as (x: unknown) => boolean)(v)) return inputError('CEP_ERR_INPUT_VALUE', at.file, at.record, at.unit, `${what}, got ${show(v)}`, name);
  }
  return out as unknown as AnyEvent;
}

interface FastSpec {
  /** Copies the fields into an object literal of the canonical shape (one V8 shape per kind). */
  readonly build: (r: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  readonly doubles: readonly string[];
  readonly rules: readonly ValueRule[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FAST: Readonly<Record<EventKind, FastSpec>> = Object.fromEntries(EVENT_KINDS.map((k) => {
  const names = KIND_SPECS[k].fields.map((f) => f.name);
  if (!names.every((n) => IDENT.test(n))) throw new CepError('CEP_ERR_SCHEMA_UNSUPPORTED', `${k} has a field name that is not an identifier`);
  // Generated once at load from the schema's own field names (identifiers, checked above).
  const build = new Function('r', `return { kind: ${JSON.stringify(k)}, ${names.map((n) => `${n}: r.${n}`).join(', ')} };`) as FastSpec['build'];
  return [k, { build, doubles: KIND_SPECS[k].fields.filter((f) => f.check.type === 'double').map((f) => f.name), rules: VALUE_RULES[k] }];
})) as unknown as Record<EventKind, FastSpec>;
