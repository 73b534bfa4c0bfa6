// A binary min-heap ordered by (numeric key, sequence number), for the engine's reorder
// buffer (event time, arrival) and timers (deadline, scheduling order), and the fixture
// generator. Parallel arrays and hole-based sifting: no comparator closures, no tuple swaps,
// no allocation per operation beyond array growth. Equal keys come out in sequence order,
// so the output is deterministic.

export class KeyedHeap<T> {
  private readonly keys: number[] = [];
  private readonly seqs: number[] = [];
  private readonly items: T[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** Smallest key, or Infinity when empty. */
  peekKey(): number {
    return this.items.length === 0 ? Infinity : (this.keys[0] as number);
  }

  /** The item with the smallest (key, seq), without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Items in heap order (not sorted): for snapshots. */
  values(): readonly T[] {
    return this.items;
  }

  /** Adds an item; `seq` defaults to a push counter (restore passes the original one). */
  push(key: number, item: T, seq: number = this.nextSeq++): void {
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    const keys = this.keys;
    const seqs = this.seqs;
    const items = this.items;
    let i = items.length;
    keys.push(key);
    seqs.push(seq);
    items.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pk = keys[p] as number;
      if (pk < key || (pk === key && (seqs[p] as number) < seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[p] as number;
      items[i] = items[p] as T;
      i = p;
    }
    keys[i] = key;
    seqs[i] = seq;
    items[i] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const keys = this.keys;
    const seqs = this.seqs;
    const top = items[0];
    const lastKey = keys.pop() as number;
    const lastSeq = seqs.pop() as number;
    const last = items.pop() as T;
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
        items[i] = items[m] as T;
        i = m;
      }
      keys[i] = lastKey;
      seqs[i] = lastSeq;
      items[i] = last;
    }
    return top;
  }
}
