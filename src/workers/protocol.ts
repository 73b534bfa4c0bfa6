// The one message protocol between the main thread and shard workers: only data that
// survives structured cloning. A batch carries many framed values in one transferred
// buffer (values back to back, `ends[i]` the end of value i), never one message per event.
import type { Alert } from '../core/alert.ts';
import type { EngineOptions } from '../core/engine.ts';

export interface InitTask {
  readonly op: 'init';
  readonly shard: number;
  readonly shards: number;
  /** Rule specs for loadRules (bundled ids, module paths, folders; [] = all bundled). */
  readonly rules: readonly string[];
  readonly engine: Partial<Omit<EngineOptions, 'owns'>>;
}

export interface BatchTask {
  readonly op: 'batch';
  readonly bytes: ArrayBuffer;
  readonly ends: Uint32Array;
}

export interface FlushTask {
  readonly op: 'flush';
}

export type ShardTask = InitTask | BatchTask | FlushTask;

export interface ShardResult {
  readonly events: number;
  readonly decodeErrors: number;
  readonly alerts: readonly Alert[];
  /** Worker-side processing time of this task, microseconds. */
  readonly micros: number;
}

/** Packs framed values into one buffer + end offsets, ready to transfer. */
export function packBatch(values: readonly Uint8Array[]): { bytes: ArrayBuffer; ends: Uint32Array } {
  let total = 0;
  for (const v of values) total += v.length;
  const bytes = new ArrayBuffer(total);
  const view = new Uint8Array(bytes);
  const ends = new Uint32Array(values.length);
  let at = 0;
  values.forEach((v, i) => {
    view.set(v, at);
    at += v.length;
    ends[i] = at;
  });
  return { bytes, ends };
}

/** FNV-1a over the key: which shard owns a key (stable across runs and processes). */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}
