// The one message protocol between the main thread and shard workers: types only, of data
// that survives structured cloning. Values travel as raw bytes, many per message: a batch is
// one buffer with the values back to back (`ends[i]` is the end of value i), never one
// message per event (record-pack.ts packs and reads them). Decoding happens in the workers.
//
//   round r, N shards:  ingest(parts of the streams a shard is home for) ──► forwards, stream max times
//                       deliver(forwards for this shard, watermark W_r)  ──► alerts, late, errors
//   round r, 1 shard:   round(every part, clock changes) ──► both results and W_r, in one task
//
// See shard-handler.ts for what a shard does with each task, rounds.ts for the driver.
import type { Alert } from '../core/alert.ts';
import type { EngineOptions, EngineStats, RuleInfo } from '../core/engine/index.ts';
import type { ContextView, KeyStateView, RecentIssues } from '../core/state-view.ts';
import type { EventKind } from '../events/types.ts';
import type { SchemaSpec } from '../io/kafka-value.ts';

/** An input stream: one partition of one topic. Its number is its index in the stream list. */
export interface StreamSpec {
  readonly topic: string;
  readonly partition: number;
  /** `confluent`: framed values, schema ids from the registry; `avro`: plain records. */
  readonly format: 'confluent' | 'avro';
  /** For `avro`: the id under which the topic's writer schema is registered in the decoder. */
  readonly schemaId: number;
  /** Largest event time seen on the stream so far (restored from a checkpoint). */
  readonly maxTs: number;
  /** False when the stream was idle at the checkpoint (it does not hold time back). */
  readonly active: boolean;
}

export type { SchemaSpec } from '../io/kafka-value.ts';

/**
 * A rule change as shards get it (core/rule-change.ts): a deploy names a bundle materialized
 * on this machine (its folder of rule modules, loaded unchecked: the bundle was checked when
 * it was deployed), a switch enables or disables one rule. `at`: the event-time boundary.
 */
export type RuleChangeSpec =
  | { readonly kind: 'deploy'; readonly seq: number; readonly at: number | null; readonly hash: string; readonly dir: string }
  | { readonly kind: 'switch'; readonly seq: number; readonly at: number | null; readonly ruleId: string; readonly enabled: boolean }
  /** Shadow mode: the candidate is rule `ruleId` of the materialized bundle `hash`. */
  | { readonly kind: 'shadow'; readonly seq: number; readonly at: number | null; readonly ruleId: string; readonly hash: string; readonly dir: string }
  | { readonly kind: 'promote' | 'discard'; readonly seq: number; readonly at: number | null; readonly ruleId: string };

export interface InitTask {
  readonly op: 'init';
  readonly shard: number;
  readonly shards: number;
  /** Rule specs for loadRules (bundled ids, module paths, folders; [] = all bundled). */
  readonly rules: readonly string[];
  readonly engine: Partial<Omit<EngineOptions, 'owns'>>;
  /** Event kinds each topic may carry. */
  readonly kindsByTopic: readonly (readonly [string, readonly EventKind[]])[];
  readonly streams: readonly StreamSpec[];
  readonly schemas: readonly SchemaSpec[];
  /** deflateRaw(v8 snapshot) of every shard of a checkpoint (any shard count). */
  readonly restore: readonly Uint8Array[];
  /** The watermark the restored shards were at (-Infinity: none); a one-shard round moves it on. */
  readonly watermark: number;
  /** Quarantine events more than this ahead of their record's Kafka timestamp (core/time-guard.ts); absent: no guard. */
  readonly maxFutureSkewMs?: number;
  /**
   * The control log's rule changes, in seq order (absent: `rules` only). The rule set is the
   * one the restored snapshots had applied (the first deploy without a snapshot); later
   * changes are scheduled at their boundaries.
   */
  readonly changes?: readonly RuleChangeSpec[];
}

/**
 * An operator's watermark reset, applied at a round boundary by every shard before anything
 * else of the round (ShardCore.resetStream): the stream's max event time lowered to `maxTs`,
 * the engine's watermark to `watermark` when ahead.
 */
export interface StreamReset {
  readonly stream: number;
  readonly maxTs: number;
  readonly watermark: number;
}

/**
 * Records as they travel: values back to back (`ends[i]` the end of value i, -1 for a null
 * value: a tombstone is not an empty value), their offsets,
 * and, so that a dead letter can carry the original record without the main thread keeping
 * it, their keys back to back (`keyEnds[i]` the end of key i, -1 for no key) and Kafka
 * timestamps.
 */
export interface PackedRecords {
  readonly bytes: ArrayBuffer;
  readonly ends: Int32Array;
  readonly offsets: Float64Array;
  readonly keys: ArrayBuffer;
  readonly keyEnds: Int32Array;
  readonly timestamps: Float64Array;
}

/** Records of one stream, in offset order. */
export interface IngestPart extends PackedRecords {
  readonly stream: number;
}

/** Records a home shard routes to another shard, each with its stream. */
export interface Forward extends PackedRecords {
  readonly to: number;
  readonly streams: Uint32Array;
}

/** A record as read from Kafka, for a dead letter (copied out of the batch; null value: a tombstone). */
export interface RawRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
}

export interface IngestTask {
  readonly op: 'ingest';
  readonly schemas: readonly SchemaSpec[];
  readonly parts: readonly IngestPart[];
  readonly resets?: readonly StreamReset[];
}

export interface DeliverTask {
  readonly op: 'deliver';
  readonly schemas: readonly SchemaSpec[];
  readonly forwards: readonly Forward[];
  readonly watermark: number;
  /** End of input / idle: release everything up to this event time (see Engine.flush). */
  readonly flushTo: number | null;
  /** Rule changes to schedule before anything else of the task (each applies at its boundary). */
  readonly changes: readonly RuleChangeSpec[];
  /** Applied before the forwards are accepted (a no-op when this shard's ingest applied them). */
  readonly resets?: readonly StreamReset[];
}

/**
 * Ingest and deliver in one task, for one shard: it is home for every stream and owns every
 * key, so nothing is forwarded and it can decide W_r itself, from its copy of the driver's
 * clock (round-clock.ts). `activity` replays what the driver's clock was told since the last
 * round (idle streams), so both clocks agree.
 */
export interface RoundTask {
  readonly op: 'round';
  readonly schemas: readonly SchemaSpec[];
  readonly parts: readonly IngestPart[];
  /** [stream, active] changes made to the driver's clock since the previous round, last one per stream. */
  readonly activity: readonly (readonly [number, boolean])[];
  /** Release everything up to the largest event time seen (see DeliverTask.flushTo). */
  readonly flush: boolean;
  readonly changes: readonly RuleChangeSpec[];
  /** Applied after `activity` and before the parts are read, to the shard and its copy of the clock. */
  readonly resets?: readonly StreamReset[];
}

export interface SnapshotTask {
  readonly op: 'snapshot';
}

export interface InfoTask {
  readonly op: 'info';
}

/** A key's state for a rule (the owning shard's view) and the key's recent issues (every shard's). */
export interface StateTask {
  readonly op: 'state';
  readonly ruleId: string;
  readonly key: string;
}

/** A context of a key (the owning shard's). */
export interface ContextTask {
  readonly op: 'context';
  readonly key: string;
  readonly contextId: string;
}

export type ShardTask = InitTask | IngestTask | DeliverTask | RoundTask | SnapshotTask | InfoTask | StateTask | ContextTask;

/** A value that could not become an event (dead-lettered with its code and message). */
export interface Rejected {
  readonly stream: number;
  readonly offset: number;
  readonly code: string;
  readonly message: string;
  readonly record: RawRecord;
}

/** An event behind the watermark (late for its stream, or behind an idle-advanced W). */
export interface LateRef {
  readonly stream: number;
  readonly offset: number;
  readonly eventId: string;
  readonly ts: number;
  readonly watermark: number;
  /** The original record (null only for an event whose record is not at hand: restored from a checkpoint). */
  readonly record: RawRecord | null;
}

export interface RuleErrorRef {
  readonly ruleId: string;
  readonly key: string;
  readonly eventId: string;
  readonly error: string;
}

export interface InitResult {
  readonly op: 'init';
  readonly keys: number;
}

export interface IngestResult {
  readonly op: 'ingest';
  readonly forwards: readonly Forward[];
  /** [stream, max event time] for every stream this task read. */
  readonly maxTs: readonly (readonly [number, number])[];
  readonly rejected: readonly Rejected[];
  readonly late: readonly LateRef[];
  /** Values read. */
  readonly values: number;
  /** Worker-side processing time, microseconds. */
  readonly micros: number;
}

export interface DeliverResult {
  readonly op: 'deliver';
  readonly alerts: readonly Alert[];
  readonly late: readonly LateRef[];
  readonly ruleErrors: readonly RuleErrorRef[];
  readonly overflowDropped: number;
  readonly micros: number;
  /** Sampled per-rule evaluation times since the last deliver: (rule index, µs) pairs (src/metrics/rule-timer.ts). */
  readonly evaluations: Float64Array;
  /**
   * The engine's rule ids by index (what `evaluations` count by), sent when they changed since
   * the shard's last deliver: its first, and after a deploy or a promote reordered them.
   */
  readonly ruleIds?: readonly string[];
  /** Alerts of candidates in shadow (absent: none): they go to the shadow topic, never the alerts topic. */
  readonly shadowAlerts?: readonly Alert[];
}

/** What an ingest and a deliver task would have returned, and the watermark the round sent. */
export interface RoundResult {
  readonly op: 'round';
  readonly ingest: IngestResult;
  readonly deliver: DeliverResult;
  readonly watermark: number;
}

export interface SnapshotResult {
  readonly op: 'snapshot';
  /** v8.serialize(EngineSnapshot); the caller deflates it for storage. */
  readonly bytes: Uint8Array;
  readonly keys: number;
}

export interface InfoResult {
  readonly op: 'info';
  readonly rules: readonly RuleInfo[];
  /** The candidates in shadow, as their engines list them. */
  readonly shadows: readonly RuleInfo[];
  readonly stats: EngineStats;
  /** Since the shard started: ms spent running tasks, and ms waiting for them (its load). */
  readonly busyMs: number;
  readonly idleMs: number;
}

export interface StateResult {
  readonly op: 'state';
  /** Null when no rule has the id. */
  readonly view: KeyStateView | null;
  readonly recent: RecentIssues;
}

export interface ContextResult {
  readonly op: 'context';
  /** Null when no rule uses a context with the id. */
  readonly view: ContextView | null;
}

export type ShardResult = InitResult | IngestResult | DeliverResult | RoundResult | SnapshotResult | InfoResult | StateResult | ContextResult;
