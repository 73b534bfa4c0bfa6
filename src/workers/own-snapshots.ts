// A checkpoint restores into any shard count: each shard reads every shard's snapshot and
// keeps the keys it owns. Decoding them all before the restore held the whole state of every
// shard at once in one shard's heap, three times its own share with two shards: past its heap
// limit (twice its share, config/heap-limits.ts) on a 2M-key flood. Here each snapshot is
// decoded and cut down to this shard's keys before the next is decoded, so a restore holds at
// most its own keys plus one other shard's state. The engine's restore skips the keys a shard
// does not own anyway: the result is the same.
import { deserialize } from 'node:v8';
import { inflateRawSync } from 'node:zlib';
import type { EngineSnapshot } from '../core/engine/index.ts';
import type { ShardSnapshot } from '../core/shard-core.ts';
import { KEY_GROUPS, shardOf } from '../core/order.ts';

/** deflateRaw(v8 snapshot), as checkpoints store it. */
export const decodeSnapshot = (b: Uint8Array): ShardSnapshot => deserialize(inflateRawSync(b)) as ShardSnapshot;

/** The snapshots of a checkpoint with only the keys of `shard` (of `shards`, over `groups` key groups). */
export function ownSnapshots(restore: readonly Uint8Array[], shard: number, shards: number, groups: number = KEY_GROUPS): ShardSnapshot[] {
  return restore.map((bytes) => {
    const s = decodeSnapshot(bytes);
    if (shards === 1) return s;
    const own = <T extends EngineSnapshot>(e: T): T => ({ ...e, spaces: e.spaces.map((ss) => ({ ...ss, keys: ss.keys.filter((k) => shardOf(k.key, shards, groups) === shard) })) });
    // Candidates in shadow (shadow mode) are cut down the same way.
    return s.shadows === undefined ? own(s) : { ...own(s), shadows: s.shadows.map((x) => ({ ...x, snapshot: own(x.snapshot) })) };
  });
}
