// A bounded intern table for short ASCII strings read from bytes: the same bytes give the same
// string object, so the engine's key maps (account, IP, instrument, ...) find a key by its
// cached hash and a pointer comparison instead of hashing and comparing a fresh string for
// every event (about 100-300 ns each, the largest single cost of the engine before this).
//
//   FNV-1a(bytes) & mask ─► slot: (hash, string) ─► same hash, length and chars? that string
//                                                └► else: a new string, which takes the slot
//
// Direct-mapped, one entry per slot, so memory is fixed (SLOTS strings of at most MAX_LEN
// bytes) and a key explosion only costs the hash of each miss. Only ASCII: there one byte is
// one char, so comparing chars compares bytes, and latin1 gives the string UTF-8 would.
const SLOTS = 1 << 12;
const MAX_LEN = 32;

interface Slices {
  latin1Slice(start: number, end: number): string;
}

export class Interner {
  /** Per slot: hash, byte length (adjacent, so one cache line answers most misses). */
  private readonly meta = new Int32Array(2 * SLOTS).fill(-1);
  /** Per slot: the string's bytes, MAX_LEN apart (compared without touching the string). */
  private readonly bytes = new Uint8Array(SLOTS * MAX_LEN);
  private readonly strings: string[] = new Array<string>(SLOTS).fill('');

  /** The string of `len` bytes at `p`, or undefined when they are not ASCII (or too long to keep). */
  get(buf: Buffer, p: number, len: number): string | undefined {
    if (len > MAX_LEN) return undefined;
    let h = 0x811c9dc5 ^ len;
    let high = 0;
    const end = p + len;
    for (let i = p; i < end; i++) {
      const b = buf[i] as number;
      high |= b;
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (high >= 0x80) return undefined;
    const slot = (h ^ (h >>> 15)) & (SLOTS - 1);
    const meta = this.meta;
    const bytes = this.bytes;
    const at = slot * MAX_LEN;
    if (meta[2 * slot] === h && meta[2 * slot + 1] === len) {
      let i = 0;
      while (i < len && bytes[at + i] === buf[p + i]) i++;
      if (i === len) return this.strings[slot] as string;
    }
    const fresh = (buf as unknown as Slices).latin1Slice(p, end);
    meta[2 * slot] = h;
    meta[2 * slot + 1] = len;
    for (let i = 0; i < len; i++) bytes[at + i] = buf[p + i] as number;
    this.strings[slot] = fresh;
    return fresh;
  }
}
