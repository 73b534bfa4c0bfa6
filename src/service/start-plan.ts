// Where each stream starts after an assignment or a restart, and how far it must be re-read
// with outputs suppressed:
//
//   checkpoint position O_s  committed offset O_c   start   re-read (recovery) up to
//   yes                      O_c > O_s              O_s     O_c   (the run after the checkpoint committed these)
//   yes                      none or O_c <= O_s     O_s     -
//   no                       O_c                    O_c     -     (state lost: warned)
//   no                       none                   first or next record (startFrom)
//
// A start before the partition's first record (retention deleted what the checkpoint
// needs) moves to the first record, and says so. planRestore applies this to every assigned
// partition, in a fixed order (config topic order, then partition), which gives each stream
// its index.
import type { InputTopic } from '../config/inputs.ts';
import { tpKey } from '../kafka/admin.ts';
import type { TopicPartition } from '../kafka/source.ts';
import type { StreamSpec } from '../workers/protocol.ts';
import type { CheckpointManifest, CheckpointStream } from './checkpoint.ts';

export interface StreamStart {
  readonly start: number;
  readonly recoverTo: number | null;
  readonly committed: number | null;
  /** Never read by this group (no checkpoint position, no committed offset). */
  readonly fresh: boolean;
  /** Records the start needed were deleted: the first record left, instead of this. */
  readonly lost: number | null;
}

export function planStart(saved: CheckpointStream | undefined, committed: number | undefined, bounds: { low: number; high: number } | undefined, startFrom: 'earliest' | 'latest'): StreamStart {
  const fromCheckpoint = saved?.offset !== undefined && saved.offset !== null ? Number(saved.offset) : undefined;
  let start = fromCheckpoint ?? committed;
  const fresh = start === undefined;
  if (start === undefined) start = startFrom === 'earliest' ? bounds?.low ?? 0 : bounds?.high ?? 0;
  let lost: number | null = null;
  if (bounds !== undefined && start < bounds.low) {
    lost = start;
    start = bounds.low;
  }
  const recoverTo = fromCheckpoint !== undefined && committed !== undefined && committed > start ? committed : null;
  return { start, recoverTo, committed: committed ?? null, fresh, lost };
}

/** One stream of a restore: its spec for the shards, where it starts, where its partition ends. */
export interface StreamPlan {
  readonly spec: StreamSpec;
  readonly start: StreamStart;
  /** Offset after the partition's last record when the restore looked (-1: unknown). */
  readonly highWatermark: number;
  /** Held at a watermark reset at the checkpoint (see Stream.held). */
  readonly held: boolean;
}

export interface RestorePlan {
  /** In config topic order, then by partition: a stream's index is its place here. */
  readonly streams: readonly StreamPlan[];
  /** The watermark every shard restores to (-Infinity: none). */
  readonly watermark: number;
  readonly recovering: number;
  readonly fresh: number;
  /** Rules (id@version) new or changed since the checkpoint: they start with empty state. */
  readonly changedRules: readonly string[];
  /** Committed offsets without a checkpoint: state was lost (warned). */
  readonly stateLost: boolean;
}

export interface RestoreInputs {
  readonly assignment: readonly TopicPartition[];
  readonly topics: readonly InputTopic[];
  readonly checkpoint: CheckpointManifest | undefined;
  /** The group's committed offsets and the partitions' bounds, by tpKey. */
  readonly committed: ReadonlyMap<string, bigint>;
  readonly bounds: ReadonlyMap<string, { readonly low: bigint; readonly high: bigint }>;
  readonly startFrom: 'earliest' | 'latest';
  readonly rules: readonly { readonly id: string; readonly version: number }[];
}

export function planRestore(i: RestoreInputs): RestorePlan {
  const order = new Map(i.topics.map((t, n) => [t.topic, n]));
  const sorted = [...i.assignment].sort((a, b) => (order.get(a.topic) ?? 99) - (order.get(b.topic) ?? 99) || a.partition - b.partition);
  const saved = new Map((i.checkpoint?.streams ?? []).map((s) => [tpKey(s.topic, s.partition), s]));
  const streams = sorted.map((tp): StreamPlan => {
    const key = tpKey(tp.topic, tp.partition);
    const t = i.topics.find((x) => x.topic === tp.topic);
    const p = saved.get(key);
    const c = i.committed.get(key);
    const b = i.bounds.get(key);
    return {
      spec: { topic: tp.topic, partition: tp.partition, format: t?.format ?? 'confluent', schemaId: t?.schemaId ?? 0, maxTs: p?.maxTs ?? -Infinity, active: p?.active ?? true },
      start: planStart(p, c === undefined ? undefined : Number(c), b === undefined ? undefined : { low: Number(b.low), high: Number(b.high) }, i.startFrom),
      highWatermark: b === undefined ? -1 : Number(b.high),
      held: p?.held === true,
    };
  });
  const was = new Map((i.checkpoint?.rules ?? []).map((r) => [r.id, r.version]));
  return {
    streams, watermark: i.checkpoint?.watermark ?? -Infinity,
    recovering: streams.filter((s) => s.start.recoverTo !== null).length,
    fresh: streams.filter((s) => s.start.fresh).length,
    changedRules: i.checkpoint === undefined ? [] : i.rules.filter((r) => was.get(r.id) !== r.version).map((r) => `${r.id}@${r.version}`),
    stateLost: i.checkpoint === undefined && i.committed.size > 0,
  };
}
