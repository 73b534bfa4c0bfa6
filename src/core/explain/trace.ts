// The tracing proxy of explain mode: runs a predicate over proxies of its arguments and records
// every field it read, with the value read. Used only when an engine explains a (rule, key);
// the normal path calls predicates directly.
//
//   trace('takeover', where, [['e', event], ['m', captures], ['ctx', context]])
//     → { result: false, reads: [{ path: 'e.success', value: true }, { path: 'ctx.knownDevices', value: ['d1', 'd7'] }] }
//
// Objects and arrays are wrapped as they are reached, so `m.fails[2].device` is one read;
// a Set or Map is recorded whole (its methods need the real receiver); an array read element by
// element and whole (`ctx.knownDevices.includes(x)`) is reported as one value.
import { toJson } from '../json.ts';
import type { JsonValue } from '../json.ts';

export interface Read {
  /** e.g. `e.amount`, `m.failures[0].device`, `ctx.knownDevices`, `a.n`. */
  readonly path: string;
  readonly value: JsonValue;
}

export interface Evaluation {
  /** What was evaluated: a step's predicate, `not <absence>`, `where`, `when`, a role. */
  readonly label: string;
  readonly result: boolean;
  /** Fields read, in the order first read, each with the value it had then. */
  readonly reads: readonly Read[];
  /** Set when the predicate threw (result is then false). */
  readonly error?: string;
}

type Recorder = Map<string, JsonValue>;

function wrap(value: unknown, path: string, rec: Recorder): unknown {
  if (value === null || typeof value !== 'object') {
    if (!rec.has(path)) rec.set(path, toJson(value));
    return value;
  }
  if (value instanceof Set || value instanceof Map) {
    if (!rec.has(path)) rec.set(path, toJson(value));
    return value;
  }
  const isArray = Array.isArray(value);
  return new Proxy(value, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof prop === 'symbol' || typeof v === 'function') return v;
      const p = isArray && /^\d+$/.test(prop) ? `${path}[${prop}]` : `${path}.${prop}`;
      return wrap(v, p, rec);
    },
  });
}

/** Reads of a whole array (its length and every element, all plain values) as one read. */
function collapse(rec: Recorder): Read[] {
  const out: Read[] = [];
  const skip = new Set<string>();
  for (const [path, value] of rec) {
    if (skip.has(path)) continue;
    if (path.endsWith('.length') && typeof value === 'number') {
      const base = path.slice(0, -'.length'.length);
      const items: JsonValue[] = [];
      let whole = true;
      for (let i = 0; i < value && whole; i++) {
        const p = `${base}[${i}]`;
        const v = rec.get(p);
        if (v === undefined || (v !== null && typeof v === 'object') || [...rec.keys()].some((k) => k.startsWith(`${p}.`) || k.startsWith(`${p}[`))) whole = false;
        else items.push(v);
      }
      if (whole && value > 0) {
        for (let i = 0; i < value; i++) skip.add(`${base}[${i}]`);
        out.push({ path: base, value: items });
        continue;
      }
    }
    out.push({ path, value });
  }
  return out.filter((r) => !skip.has(r.path));
}

/** A traced call: the evaluation, and what the predicate threw (to rethrow: explain mode must fail where the normal path fails). */
export interface Traced {
  readonly evaluation: Evaluation;
  readonly threw: boolean;
  readonly thrown: unknown;
}

/** Runs `fn` over traced arguments (name, value) and returns its result (as the engine reads it: truthy) and what it read. */
export function trace(label: string, fn: (...args: never[]) => unknown, args: readonly (readonly [string, unknown])[]): Traced {
  const rec: Recorder = new Map();
  const wrapped = args.map(([name, value]) => (value !== null && typeof value === 'object' ? wrap(value, name, rec) : value));
  // A plain value argument (a number context, say) is read by being passed.
  for (const [name, value] of args) if (value === null || typeof value !== 'object') if (value !== undefined) rec.set(name, toJson(value));
  try {
    const result = (fn as (...a: unknown[]) => unknown)(...wrapped);
    return { evaluation: { label, result: Boolean(result), reads: collapse(rec) }, threw: false, thrown: undefined };
  } catch (err) {
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    return { evaluation: { label, result: false, reads: collapse(rec), error }, threw: true, thrown: err };
  }
}
