// One shard of a sharded engine, pure. Shards own keys (shardOf(key, shards), in every key
// space) and are "home" for some input streams (Kafka partitions):
//
//   home shard of stream s:  event ─► late for s? ─► owners of its keys ─► own: accept
//                                         │                              └► others: forward
//                                         └► late (reported by the caller with its offset)
//   owner shard:             forwarded event ─► accept;   every shard: advance(W)
//
// W, the watermark, is the same for every shard: min over active streams of wm(s), computed
// by whoever drives the shards from the per-stream max event times that home shards report.
// Because lateness is decided per stream and events are released in (ts, rank) order once
// W is past them, the effects are those of one engine over the same streams, whatever the
// shard count, the batching and the interleaving (see the property test). Keys are owned by
// key group (shardOf = keyGroupOf % shards), so each group's key budget, and the evictions it
// makes, are the same for any shard count.
import type { AnyEvent, SourceRef } from '../events/types.ts';
import type { Effect } from './effects.ts';
import { KEY_GROUPS } from './order.ts';
import { createEngine } from './engine/index.ts';
import type { Engine, EngineOptions, EngineSnapshot } from './engine/index.ts';
import { shardOf } from './order.ts';
import type { AnyRule } from './rule-types.ts';
import { StreamWatermarks } from './watermarks.ts';
import { CepError } from './errors.ts';

export class ShardCore {
  readonly shard: number;
  readonly shards: number;
  readonly engine: Engine;
  /** Per-stream watermarks of the streams this shard is home for. */
  readonly streams: StreamWatermarks;
  private readonly scratch = new Int32Array(64);
  /**
   * Set by route(): this shard owns a key of the event and found it behind the engine's
   * watermark (possible after an idle flush, or with allowed lateness): it is reported late.
   */
  lateHere = false;

  constructor(rules: readonly AnyRule[], options: Partial<Omit<EngineOptions, 'owns'>>, shard: number, shards: number, from?: readonly EngineSnapshot[]) {
    if (!Number.isInteger(shards) || shards < 1 || shards > 64 || !Number.isInteger(shard) || shard < 0 || shard >= shards) {
      throw new CepError('CEP_ERR_SHARD', `shard ${shard} of ${shards} (1..64 shards)`);
    }
    const groups = options.keyGroups ?? KEY_GROUPS;
    if (shards > groups) throw new CepError('CEP_ERR_SHARD', `${shards} shards but only ${groups} key groups (engine option keyGroups): a shard would own no keys; raise keyGroups to at least ${shards}`);
    this.shard = shard;
    this.shards = shards;
    // Always set, even for one shard: it also tells the engine that routing (ownersOf)
    // reports key-extractor errors, so they are reported once.
    const owns = (_space: string, key: string): boolean => shardOf(key, shards, groups) === shard;
    this.engine = createEngine(rules, { ...options, owns }, from === undefined || from.length === 0 ? undefined : from);
    this.streams = new StreamWatermarks(this.engine.options.outOfOrdernessMs, this.engine.options.allowedLatenessMs);
  }

  /**
   * Home side: an event read from `stream`. Returns -1 when it is late for its stream;
   * otherwise the number of other shards it must be forwarded to, written into `out`. When
   * this shard owns one of its keys it is accepted here.
   */
  route(stream: number, e: AnyEvent, source: SourceRef | null, out: Int32Array): number {
    this.lateHere = false;
    if (!this.streams.observe(stream, e.ts)) return -1;
    const n = this.engine.ownersOf(e, this.shards, this.scratch);
    let others = 0;
    for (let i = 0; i < n; i++) {
      const owner = this.scratch[i] as number;
      if (owner === this.shard) this.lateHere = !this.engine.accept(e, source);
      else out[others++] = owner;
    }
    return others;
  }

  /** Owner side: an event another shard routed here; false when it is behind the watermark (late). */
  deliver(e: AnyEvent, source: SourceRef | null): boolean {
    return this.engine.accept(e, source);
  }

  advance(watermark: number): void {
    this.engine.advanceWatermark(watermark);
  }

  /**
   * The effects the shard protocol carries: evictions are left out (they are counted in
   * engine.stats().spaces, which the service reads); engine.drain() has them all.
   */
  drain(): Exclude<Effect, { kind: 'evicted' }>[] {
    const all = this.engine.drain();
    let evicted = 0;
    for (let i = 0; i < all.length; i++) if ((all[i] as Effect).kind === 'evicted') evicted++;
    if (evicted === 0) return all as Exclude<Effect, { kind: 'evicted' }>[];
    return all.filter((f): f is Exclude<Effect, { kind: 'evicted' }> => f.kind !== 'evicted');
  }
}
