// Canonical order and key ownership: two small hashes the whole engine agrees on.
//
// - eventRank(id): events are processed in (event time, rank) order. Ties on event time are
//   broken by a 53-bit hash of the event id, not by arrival, so the order does not depend on
//   how sources interleave (Kafka partitions, batches, shard workers, restarts). Ids are
//   unique; two events with the same id and time have no defined order between them.
// - keyGroupOf(key, g): which of g key groups a key belongs to (FNV-1a), stable across
//   processes. Key groups are the unit of ownership and of the key budget (as in Flink):
//   shardOf(key, n) = keyGroupOf(key) % n, so a group never spans two shards whatever n is,
//   and a per-group key budget decides the same evictions for any shard count.

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

/** Key groups by default (engine option keyGroups); at least the largest shard count (64). */
export const KEY_GROUPS = 256;

/** FNV-1a over the key: which of `groups` key groups it belongs to. */
export function keyGroupOf(key: string, groups: number = KEY_GROUPS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % groups;
}

/**
 * Which of `shards` shards owns a key: the owner of its key group. With a power-of-two
 * number of groups this is FNV-1a mod `shards` for every power-of-two shard count.
 */
export function shardOf(key: string, shards: number, groups: number = KEY_GROUPS): number {
  return keyGroupOf(key, groups) % shards;
}
