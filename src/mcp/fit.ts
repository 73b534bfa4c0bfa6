// The size cap on MCP results: a value whose JSON is over the cap is cut until it fits, the
// largest array of two or more items first (halved, keeping its head: newest alerts, first
// events of a step), then the longest string, and every cut is listed (path, kept, total) so the caller knows what is
// missing and can ask for less (a smaller limit, one alert at a time).

export interface Cut {
  readonly path: string;
  /** Items (arrays) or characters (strings) kept. */
  readonly kept: number;
  /** Items or characters there were. */
  readonly total: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Found = { readonly path: string; readonly holder: Json[] | { [k: string]: Json }; readonly at: string | number; readonly size: number };

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8');

/** Every array (with items) and every string over 64 characters, with where it sits and its JSON size. */
function walk(v: Json, path: string, holder: Found['holder'] | undefined, at: string | number, arrays: Found[], strings: Found[]): void {
  if (Array.isArray(v)) {
    if (v.length > 0 && holder !== undefined) arrays.push({ path, holder, at, size: bytes(v) });
    v.forEach((x, i) => walk(x, `${path}[${i}]`, v, i, arrays, strings));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) walk(x, path === '' ? k : `${path}.${k}`, v, k, arrays, strings);
  } else if (typeof v === 'string' && v.length > 64 && holder !== undefined) {
    strings.push({ path, holder, at, size: v.length });
  }
}

function set(f: Found, value: Json): void {
  (f.holder as Record<string | number, Json>)[f.at] = value;
}

/** `value` unchanged when its JSON fits in `maxBytes`; otherwise a cut copy and the cuts made. */
export function fitToSize<T>(value: T, maxBytes: number): { readonly value: T; readonly cuts: readonly Cut[] } {
  if (bytes(value) <= maxBytes) return { value, cuts: [] };
  const copy = structuredClone(value) as Json;
  const cuts = new Map<string, { kept: number; total: number }>();
  for (let round = 0; round < 1000 && bytes(copy) > maxBytes; round++) {
    const arrays: Found[] = [];
    const strings: Found[] = [];
    walk(copy, '', undefined, '', arrays, strings);
    // Halving a one-item array empties it: cut inside it (its items' arrays) first.
    const many = arrays.filter((a) => ((a.holder as Record<string | number, Json[]>)[a.at] as Json[]).length > 1);
    const biggest = (many.length > 0 ? many : arrays).sort((a, b) => b.size - a.size)[0];
    const longest = strings.sort((a, b) => b.size - a.size)[0];
    if (biggest !== undefined && (longest === undefined || biggest.size >= longest.size)) {
      const arr = (biggest.holder as Record<string | number, Json[]>)[biggest.at] as Json[];
      const kept = Math.floor(arr.length / 2);
      set(biggest, arr.slice(0, kept));
      cuts.set(biggest.path, { kept, total: cuts.get(biggest.path)?.total ?? arr.length });
    } else if (longest !== undefined) {
      const s = (longest.holder as Record<string | number, string>)[longest.at] as string;
      const kept = Math.floor(s.length / 2);
      set(longest, `${s.slice(0, kept)}…`);
      cuts.set(longest.path, { kept, total: cuts.get(longest.path)?.total ?? s.length });
    } else {
      break;
    }
  }
  // A cut inside an array item that was dropped later no longer applies.
  const live = [...cuts].filter(([path]) => exists(copy, path));
  return { value: copy as T, cuts: live.map(([path, c]) => ({ path, ...c })) };
}

function exists(root: Json, path: string): boolean {
  let node: Json | undefined = root;
  for (const part of path.match(/[^.[\]]+/g) ?? []) {
    if (node === null || typeof node !== 'object') return false;
    node = Array.isArray(node) ? node[Number(part)] : node[part];
    if (node === undefined) return false;
  }
  return true;
}
