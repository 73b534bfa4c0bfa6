// From an assignment to a run: read the latest checkpoint, the group's committed offsets and
// the partitions' bounds, plan every stream's start (start-plan.ts), start the shards from
// the checkpoint (any shard count). The caller then begins the run (Run.begin: seek every
// partition to its start) if it still wants it. A restore that is no longer wanted when the
// shards are up (another assignment, a stop) closes them and returns nothing.
import type { Logger } from 'pino';
import { CepError } from '../core/errors.ts';
import type { Inputs } from '../config/inputs.ts';
import type { KafkaAdmin } from '../kafka/admin.ts';
import type { TopicPartition } from '../kafka/source.ts';
import type { DeliverResult, IngestResult, RuleChangeSpec, SchemaSpec } from '../workers/protocol.ts';
import { Rounds } from '../workers/rounds.ts';
import type { ShardBackend } from '../workers/shard-pool.ts';
import type { Checkpoint } from './checkpoint.ts';
import { openBook } from './commit.ts';
import type { RoundTag } from './dispatch.ts';
import { RecoveryHold } from './intake.ts';
import { Run } from './run.ts';
import type { RunContext } from './run.ts';
import { planRestore } from './start-plan.ts';
import { StreamTable, startStream } from './stream-table.ts';
import type { SourceControl } from './stream-table.ts';

export interface RestoreDeps extends RunContext {
  readonly inputs: Inputs;
  readonly admin: Pick<KafkaAdmin, 'committed' | 'bounds'>;
  readonly readCheckpoint: () => Promise<Checkpoint | undefined>;
  readonly backend: () => ShardBackend;
  readonly source: SourceControl;
  /** Writer schemas known so far (it grows: those resolved during the restore reach the run later). */
  readonly schemas: readonly SchemaSpec[];
  readonly onDeliver: (r: DeliverResult, submittedAt: number) => void;
  readonly onIngest: (r: IngestResult) => void;
  readonly log: Logger;
  /** The control log's rule changes, read again (absent: the config's rules, no changes). */
  readonly ruleChanges?: () => Promise<readonly RuleChangeSpec[]>;
}

export interface Restored {
  readonly run: Run;
  /** Undefined when no stream has anything to re-read: the run is live at once. */
  readonly hold: RecoveryHold | undefined;
  /** How many of `schemas` the shards started with: the caller sends them the rest. */
  readonly schemasSent: number;
  /** What to log once the run begins. */
  readonly summary: { readonly fields: Readonly<Record<string, unknown>>; readonly msg: string };
}

const finite = (n: number): number | null => (Number.isFinite(n) ? n : null);

export async function restore(d: RestoreDeps, assignment: readonly TopicPartition[], wanted: () => boolean): Promise<Restored | undefined> {
  const c = d.config;
  const cp = await d.readCheckpoint();
  const changes = await d.ruleChanges?.();
  const committed = await d.admin.committed(c.kafka.groupId, d.inputs.topics.map((t) => t.topic));
  const bounds = await d.admin.bounds(assignment);
  if (!wanted()) return undefined;
  const plan = planRestore({ assignment, topics: d.inputs.topics, checkpoint: cp?.manifest, committed, bounds, startFrom: c.startFrom, rules: d.rules });
  if (plan.changedRules.length > 0) d.log.warn({ rules: plan.changedRules }, 'rules new or changed since the checkpoint start with empty state');
  const schemasAtInit = d.schemas.length;
  const rounds = await Rounds.start<RoundTag>({
    backend: d.backend(), maxInFlight: c.maxInFlight, watermark: plan.watermark,
    init: {
      rules: c.rules.modules, engine: { ...c.engine }, maxFutureSkewMs: c.maxFutureSkewMs, kindsByTopic: d.inputs.topics.map((t) => [t.topic, t.kinds] as const),
      streams: plan.streams.map((s) => s.spec), schemas: d.schemas.slice(0, schemasAtInit), restore: cp?.snapshots ?? [],
      ...(changes === undefined ? {} : { changes }),
    },
    onDeliver: d.onDeliver,
    onIngest: d.onIngest,
  });
  if (!wanted()) {
    await rounds.close().catch(() => undefined);
    return undefined;
  }
  const now = d.now();
  const streams = plan.streams.map((s, i) => {
    const st = s.start;
    if (st.lost !== null) {
      d.log.error({ topic: s.spec.topic, partition: s.spec.partition, from: st.lost, low: st.start }, 'records the checkpoint needs were deleted (retention); starting at the first record left: alerts that needed them are missed');
    }
    return startStream(i, { topic: s.spec.topic, partition: s.spec.partition }, s.spec.format, st.start, st.committed, s.highWatermark, now, s.held);
  });
  if (plan.stateLost) {
    d.log.warn('no checkpoint in the state topic but the group has committed offsets: starting from them with empty state (alerts that needed earlier events are missed)');
  }
  const table = new StreamTable(streams, d.source);
  const run = new Run(d, table, rounds, openBook(c.kafka.groupId, cp?.manifest, now), plan.watermark);
  const hold = RecoveryHold.of(plan.streams.map((s) => s.start.recoverTo));
  const fields = {
    streams: streams.length, shards: rounds.shards, checkpoint: cp?.manifest.id ?? null, recovering: plan.recovering, fresh: plan.fresh,
    watermark: finite(rounds.watermark),
  };
  const msg = cp === undefined ? 'no checkpoint: starting with empty state; consuming' : hold !== undefined ? 'restored the checkpoint; replaying up to the committed offsets' : 'restored the checkpoint; consuming';
  return { run, hold, schemasSent: schemasAtInit, summary: { fields, msg } };
}

/** A failure worth retrying: anything but an error of ours that says what is permanently wrong. */
export const transientRestoreError = (err: unknown): boolean => !(err instanceof CepError) || err.code === 'CEP_ERR_TOPIC_READ' || err.code === 'CEP_ERR_KAFKA_UNREACHABLE';

export interface RestoreRetry {
  /** Waits `ms` (a stop or another assignment does not wait for it: see `wanted`). */
  readonly sleep: (ms: number) => Promise<void>;
  /** An attempt failed on something passing; the next comes after `waitMs`. */
  readonly failed: (err: unknown, attempt: number, waitMs: number) => void;
  readonly waitMs: (attempt: number) => number;
}

/**
 * restore(), again after a growing wait while it fails on something passing (the broker
 * unreachable, the state topic read timing out). A permanent failure (a checkpoint this
 * version cannot read, rules that do not load) is thrown; nothing once no longer `wanted`.
 */
export async function restoreWithRetry(d: RestoreDeps, assignment: readonly TopicPartition[], wanted: () => boolean, r: RestoreRetry): Promise<Restored | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await restore(d, assignment, wanted);
    } catch (err) {
      if (!wanted()) return undefined;
      if (!transientRestoreError(err)) throw err;
      const wait = r.waitMs(attempt);
      r.failed(err, attempt, wait);
      await r.sleep(wait);
      if (!wanted()) return undefined;
    }
  }
}
