// Input to the rounds driver: one stream's new records per part, in offset order. roundsOf
// cuts a sequence held in memory (the bench, tests) into such rounds the way reading Kafka
// partitions would: each value to its stream, offsets counting from 0 per stream, at most
// `size` values per round, in input order within each stream.

/** One stream's new records, in offset order (keys and Kafka timestamps for dead letters). */
export interface StreamValues {
  readonly stream: number;
  readonly values: readonly Uint8Array[];
  readonly offsets: ArrayLike<number>;
  readonly keys?: readonly (Uint8Array | null)[];
  readonly timestamps?: ArrayLike<number>;
}

/**
 * Rounds of `size` values from a sequence held in memory: each value goes to stream
 * `streamOf(i)`, offsets count from 0 per stream. Lazy, so splitting costs what reading from
 * Kafka would, where it would.
 */
export function* roundsOf(values: readonly Uint8Array[], streamOf: (i: number) => number, size: number): Generator<StreamValues[]> {
  const next = new Map<number, number>();
  for (let i = 0; i < values.length; i += size) {
    const parts = new Map<number, { stream: number; values: Uint8Array[]; offsets: number[] }>();
    for (let k = i; k < Math.min(values.length, i + size); k++) {
      const stream = streamOf(k);
      let p = parts.get(stream);
      if (p === undefined) {
        p = { stream, values: [], offsets: [] };
        parts.set(stream, p);
      }
      const offset = next.get(stream) ?? 0;
      next.set(stream, offset + 1);
      p.values.push(values[k] as Uint8Array);
      p.offsets.push(offset);
    }
    yield [...parts.values()];
  }
}
