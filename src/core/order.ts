// Canonical order and key ownership: two small hashes the whole engine agrees on.
//
// - eventRank(id): events are processed in (event time, rank) order. Ties on event time are
//   broken by a 53-bit hash of the event id, not by arrival, so the order does not depend on
//   how sources interleave (Kafka partitions, batches, shard workers, restarts). Ids are
//   unique; two events with the same id and time have no defined order between them.
// - shardOf(key, n): which of n shards owns a key (FNV-1a), stable across processes.

/** 53-bit rank of an event id: FNV-1a (32 bits) and a second multiplicative hash (21 bits). */
export function eventRank(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x9e3779b1;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** FNV-1a over the key: which of `shards` shards owns it. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
