// Event, order and account identifiers. Event and order ids are a keyed 48-bit Feistel
// permutation of a counter: unique by construction, unrelated-looking, and they reveal neither
// generation order nor whether an event was planted.

function round(x: number, k: number): number {
  return (Math.imul(x ^ k, 0x45d9f3b) >>> 8) & 0xffffff;
}

/** A bijection on [0, 2^48) keyed by four 24-bit round keys. */
function permute48(n: number, keys: readonly number[]): number {
  let l = Math.floor(n / 0x1000000) & 0xffffff;
  let r = n & 0xffffff;
  for (const k of keys) {
    const t = r;
    r = l ^ round(r, k);
    l = t;
  }
  return l * 0x1000000 + r;
}

export class IdSource {
  private n = 0;
  private readonly prefix: string;
  private readonly keys: readonly number[];
  constructor(prefix: string, seed: number) {
    this.prefix = prefix;
    this.keys = [0x9e3779, 0x7f4a7c, 0x85ebca, 0xc2b2ae].map((k, i) => (k ^ Math.imul(seed + i, 0x27d4eb2d)) & 0xffffff);
  }
  next(): string {
    return `${this.prefix}${permute48(this.n++, this.keys).toString(16).padStart(12, '0')}`;
  }
  get issued(): number {
    return this.n;
  }
}

/** Account number `AC` + 7 digits: a fixed permutation of the account index (background
 *  accounts first, then planted-scenario accounts), so neither group shows in the number. */
export function accountId(index: number): string {
  const n = (index * 7_368_787 + 1_000_003) % 10_000_000;
  return `AC${String(n).padStart(7, '0')}`;
}
