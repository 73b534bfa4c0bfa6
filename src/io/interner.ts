// A bounded intern table for short ASCII strings read from bytes: the same bytes give the same
// string object, so the engine's key maps (account, IP, instrument, ...) find a key by its
// cached hash and a pointer comparison instead of hashing and comparing a fresh string for
// every event (about 100-300 ns each, the largest single cost of the engine before this).
//
//   FNV-1a(bytes) & mask ─► slot: (hash, string) ─► same hash, length and chars? that string
//                                                └► else: a new string, which takes the slot
//
// Direct-mapped, one entry per slot, so a key explosion only costs the hash of each miss.
// The table starts small and grows (4x, emptied) while more than 1 in 32 of a window's
// lookups miss, up to MAX_SLOTS: a field with a few values (country, venue) keeps 256 slots,
// one with thousands (IP addresses) gets room for them. Only ASCII: there one byte is one
// char, so comparing chars compares bytes, and latin1 gives the string UTF-8 would.
const MIN_SLOTS = 1 << 8;
const MAX_SLOTS = 1 << 16;
const MAX_LEN = 32;

interface Slices {
  latin1Slice(start: number, end: number): string;
}

export class Interner {
  /** Per slot: hash, then byte length (adjacent, so one cache line answers most misses). */
  private meta = new Int32Array(2 * MIN_SLOTS).fill(-1);
  private strings: string[] = new Array<string>(MIN_SLOTS).fill('');
  private mask = MIN_SLOTS - 1;
  /** Lookups and misses in the current window (4 lookups per slot). */
  private lookups = 0;
  private misses = 0;

  /** The string of `len` bytes at `p`, or undefined when they are not ASCII (or too long to keep). */
  get(buf: Buffer, p: number, len: number): string | undefined {
    if (len > MAX_LEN) return undefined;
    this.lookups++;
    let h = 0x811c9dc5 ^ len;
    let high = 0;
    const end = p + len;
    for (let i = p; i < end; i++) {
      const b = buf[i] as number;
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (high >= 0x80) return undefined;
    const slot = (h ^ (h >>> 15)) & this.mask;
    const meta = this.meta;
    if (meta[2 * slot] === h && meta[2 * slot + 1] === len) {
      const s = this.strings[slot] as string;
      let i = 0;
      while (i < len && s.charCodeAt(i) === buf[p + i]) i++;
      if (i === len) return s;
    }
    const fresh = (buf as unknown as Slices).latin1Slice(p, end);
    meta[2 * slot] = h;
    meta[2 * slot + 1] = len;
    this.strings[slot] = fresh;
    // A window ends at a miss: without misses there is nothing to decide.
    this.misses++;
    if (this.lookups > 4 * this.mask) this.window();
    return fresh;
  }

  /** End of a window: grow when more than 1 in 32 of its lookups missed. */
  private window(): void {
    const slots = this.mask + 1;
    if (this.misses * 32 > this.lookups && slots < MAX_SLOTS) {
      const grown = slots * 4;
      this.meta = new Int32Array(2 * grown).fill(-1);
      this.strings = new Array<string>(grown).fill('');
      this.mask = grown - 1;
    }
    this.lookups = 0;
    this.misses = 0;
  }
}
