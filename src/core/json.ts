// JSON-safe values: what crosses into alerts, snapshots and the wire.

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** Deep-copies a value into plain JSON data (Sets become sorted arrays, Maps objects). */
export function toJson(value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean': case 'string': return value;
    case 'number': return Number.isFinite(value) ? value : null;
    case 'bigint': return value.toString();
    case 'object': {
      if (Array.isArray(value)) return value.map(toJson);
      if (value instanceof Set) return [...value].map(toJson).sort(compareJson);
      if (value instanceof Map) {
        const o: Record<string, JsonValue> = {};
        for (const [k, v] of value) o[String(k)] = toJson(v);
        return o;
      }
      const o: Record<string, JsonValue> = {};
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (v !== undefined && typeof v !== 'function') o[k] = toJson(v);
      }
      return o;
    }
    default: return null;
  }
}

function compareJson(a: JsonValue, b: JsonValue): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
