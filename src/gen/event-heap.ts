// A min-heap of events ordered by (key, seq), specialised for the generator's hot path (no
// closures, no tuple swaps). `seq` is the push counter, so equal keys keep push order and the
// output is deterministic.
import type { AnyEvent } from '../events/types.ts';

export class EventHeap {
  private keys: number[] = [];
  private seqs: number[] = [];
  private items: AnyEvent[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.items.length === 0 ? Infinity : (this.keys[0] as number);
  }

  push(key: number, e: AnyEvent): void {
    const keys = this.keys;
    const seqs = this.seqs;
    const items = this.items;
    const s = this.seq++;
    let i = items.length;
    keys.push(key);
    seqs.push(s);
    items.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk < key || (pk === key && (seqs[p] as number) < s)) break;
      keys[i] = pk;
      seqs[i] = seqs[p] as number;
      items[i] = items[p] as AnyEvent;
      i = p;
    }
    keys[i] = key;
    seqs[i] = s;
    items[i] = e;
  }

  pop(): AnyEvent | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const keys = this.keys;
    const seqs = this.seqs;
    const top = items[0];
    const lastKey = keys.pop() as number;
    const lastSeq = seqs.pop() as number;
    const last = items.pop() as AnyEvent;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let m = l;
        if (r < n && ((keys[r] as number) < (keys[l] as number) || ((keys[r] as number) === (keys[l] as number) && (seqs[r] as number) < (seqs[l] as number)))) m = r;
        const mk = keys[m] as number;
        if (lastKey < mk || (lastKey === mk && lastSeq < (seqs[m] as number))) break;
        keys[i] = mk;
        seqs[i] = seqs[m] as number;
        items[i] = items[m] as AnyEvent;
        i = m;
      }
      keys[i] = lastKey;
      seqs[i] = lastSeq;
      items[i] = last;
    }
    return top;
  }
}
