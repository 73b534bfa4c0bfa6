// The service pipeline: Kafka records in, shard rounds, one transaction per commit out.
//
//   source batch ─► stream.pending ─► round (rounds.ts) ─► outputs ─┐
//                                                                   ├► commit: alerts + dead
//   every commitIntervalMs: barrier (no round in flight) ───────────┘  letters + late events
//                           [+ checkpoint every snapshotIntervalMs]     + offsets, one Kafka
//                                                                       transaction
// Exactly once, across crashes: the state checkpoint (engine snapshots + stream positions)
// commits in a transaction with the offsets it corresponds to, the committed offsets O_c
// are always at or after the last checkpoint's O_s, and processing is deterministic. A
// restart restores the checkpoint, reads O_s..O_c again with outputs suppressed (they were
// committed by the run that read them: the same alerts, since the result does not depend on
// batching), and carries on from O_c. Idleness and rule toggles depend on the wall clock or
// on an operator, so each forces a checkpoint at the next commit: a replay never crosses one.
import { promisify } from 'node:util';
import { deflateRaw } from 'node:zlib';
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Alert } from '../core/alert.ts';
import type { RuleInfo } from '../core/engine/index.ts';
import type { KafkaAdmin } from '../kafka/admin.ts';
import { tpKey } from '../kafka/admin.ts';
import type { SchemaResolver } from '../kafka/registry.ts';
import { isFenced } from '../kafka/sink.ts';
import type { OffsetCommit, OutputRecord, TransactionalSink } from '../kafka/sink.ts';
import type { InputBatch, InputMessage, InputSource, SourceHandlers, TopicPartition } from '../kafka/source.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { DeliverResult, IngestResult, SchemaSpec, StreamSpec } from '../workers/protocol.ts';
import { Rounds } from '../workers/rounds.ts';
import type { Cut, StreamValues, Taken } from '../workers/rounds.ts';
import type { ShardBackend } from '../workers/shard-pool.ts';
import { ArrivalLog } from './arrivals.ts';
import { checkpointRecords } from './checkpoint.ts';
import type { Checkpoint, CheckpointStream } from './checkpoint.ts';
import { AlertLatency } from './alert-latency.ts';
import { readToEnd } from './idle.ts';
import { commitRecords } from './outputs.ts';
import type { CommitRecords } from './outputs.ts';
import { mergeRuleInfos } from './rule-info.ts';
import { planStart } from './start-plan.ts';
import type { Inputs } from '../config/inputs.ts';
import { CepError } from '../core/errors.ts';

export type Mode = 'starting' | 'standby' | 'restoring' | 'recovering' | 'live' | 'stopping' | 'stopped';

export interface PipelineDeps {
  readonly config: Config;
  readonly inputs: Inputs;
  readonly log: Logger;
  readonly source: InputSource;
  readonly sink: TransactionalSink;
  readonly admin: KafkaAdmin;
  /** Null when every input topic is plain Avro. */
  readonly resolver: SchemaResolver | null;
  /** Encodes alerts for the alerts topic (Confluent framing, registered alert schema). */
  readonly encodeAlert: (alert: Alert) => Promise<Buffer>;
  readonly readCheckpoint: () => Promise<Checkpoint | undefined>;
  readonly backend: () => ShardBackend;
  /** Rules as loaded at start (id, version), recorded in checkpoints. */
  readonly rules: readonly { readonly id: string; readonly version: number }[];
  readonly latency: LatencyRecorder;
  /** Something the pipeline cannot recover from by itself (fenced by another instance). */
  readonly onFatal: (err: Error) => void;
  readonly now?: () => number;
}

interface StreamState {
  readonly index: number;
  readonly tp: TopicPartition;
  readonly format: 'confluent' | 'avro';
  /** Next offset expected from the consumer; records below it are duplicates (-1: any). */
  next: number;
  /** Offset after the last record sent to the shards (-1: none yet). */
  dispatched: number;
  committed: number | null;
  /** During recovery: the committed offset to read up to again, outputs suppressed. */
  recoverTo: number | null;
  highWatermark: number;
  /** Wall ms of the last record (or of the assignment). */
  lastData: number;
  pending: InputMessage[];
  /** Records at or after recoverTo, read before every stream reached its own. */
  held: InputMessage[];
  /** Offset after the last record of the rounds taken for commit: what a commit commits (-1: none). */
  committable: number;
  readonly pausedFor: Set<'backpressure' | 'recovery'>;
  /** See idle.ts. */
  oneShort: { since: number; next: number } | undefined;
}

export interface PipelineCounters {
  values: number;
  alerts: number;
  deadLetters: number;
  late: number;
  ruleErrors: number;
  overflowDropped: number;
  commits: number;
  checkpoints: number;
  checkpointBytes: number;
  restores: number;
  recoveredValues: number;
  suppressedOutputs: number;
  backpressurePauses: number;
  unmeasuredLatency: number;
  /** Rounds sent to the shards, and the values in them. */
  rounds: number;
  roundValues: number;
}

const EMPTY = Buffer.alloc(0);
const deflate = promisify(deflateRaw);

/** What each round carries to its commit: the stream positions after it. */
interface RoundTag {
  readonly positions: (readonly [number, number])[];
}
const INF = (n: number | null | undefined): number => (n === null || n === undefined ? -Infinity : n);
const FIN = (n: number): number | null => (Number.isFinite(n) ? n : null);

export class Pipeline {
  mode: Mode = 'starting';
  readonly counters: PipelineCounters = {
    values: 0, alerts: 0, deadLetters: 0, late: 0, ruleErrors: 0, overflowDropped: 0, commits: 0, checkpoints: 0, checkpointBytes: 0,
    restores: 0, recoveredValues: 0, suppressedOutputs: 0, backpressurePauses: 0, unmeasuredLatency: 0, rounds: 0, roundValues: 0,
  };
  readonly deadLettersByCode = new Map<string, number>();
  private readonly d: PipelineDeps;
  private readonly log: Logger;
  private readonly now: () => number;
  private streams: StreamState[] = [];
  private readonly byTp = new Map<string, StreamState>();
  private assignment: readonly TopicPartition[] = [];
  private rounds: Rounds<RoundTag> | undefined;
  private gen = 0;
  private ready: Promise<void> = Promise.resolve();
  private hold: Promise<void> | undefined;
  private dispatching: Promise<void> = Promise.resolve();
  private dispatchScheduled = false;
  private committing: Promise<void> | undefined;
  private forceCheckpoint = false;
  private lastCheckpointAt = 0;
  private previousCheckpointKeys = new Set<string>();
  private checkpointId = 0;
  private lastFlushTo = -Infinity;
  private readonly schemas: SchemaSpec[] = [];
  private readonly arrivals = new ArrivalLog();
  private readonly alertLatency: AlertLatency;
  private ruleCache: RuleInfo[] = [];
  /** Busy and idle ms of each shard thread since it started, refreshed with the rules. */
  shardLoad: { busyMs: number; idleMs: number }[] = [];
  private timers: NodeJS.Timeout[] = [];
  /** Wall ms of the consumer's last fetch: idleness is only judged while it is reading. */
  private lastFetch = 0;
  private restarting = false;
  private finishing = false;
  private idlePolling = false;

  constructor(d: PipelineDeps) {
    this.d = d;
    this.log = d.log;
    this.now = d.now ?? Date.now;
    this.schemas.push(...d.inputs.plainSchemas);
    this.alertLatency = new AlertLatency(d.latency, this.arrivals, (src) => this.streamOf(src)?.index);
  }

  /** The handlers the source calls. */
  handlers(): SourceHandlers {
    return {
      assigned: (tps) => this.assigned(tps),
      revoking: () => {
        this.log.info('rebalance: partitions are being revoked');
      },
      batch: (b) => this.batch(b),
      progress: (tp, hw) => {
        const st = this.streamOf(tp);
        if (st !== undefined && hw > st.highWatermark) st.highWatermark = hw;
      },
      fetched: () => {
        this.lastFetch = this.now();
      },
      crashed: (err) => this.d.onFatal(err),
    };
  }

  /** Starts the commit, idle and info timers. */
  start(): void {
    const c = this.d.config;
    this.timers.push(setInterval(() => void this.commit(false), c.commitIntervalMs));
    this.timers.push(setInterval(() => this.idleCheck(), Math.max(50, Math.min(1000, Math.floor(c.idleTimeoutMs / 4)))));
    this.timers.push(setInterval(() => void this.refreshRules(), 2000));
  }

  // ---- what the API reads ---------------------------------------------------------------

  rules(): RuleInfo[] {
    return this.ruleCache;
  }

  /** Toggles a rule on every shard at the next round; the change is checkpointed at the next commit. */
  setEnabled(id: string, enabled: boolean): boolean {
    if (!this.d.rules.some((r) => r.id === id)) return false;
    this.rounds?.toggle(id, enabled);
    this.forceCheckpoint = true;
    this.ruleCache = this.ruleCache.map((r) => (r.id === id ? { ...r, enabled } : r));
    void this.submitControl();
    return true;
  }

  /** Readiness: active and caught up with its input (at most one round behind), or standing by. */
  readiness(): { ready: boolean; reasons: string[] } {
    switch (this.mode) {
      case 'live': {
        const lag = this.lag();
        return lag <= this.d.config.roundMaxValues ? { ready: true, reasons: [] } : { ready: false, reasons: [`catching up: ${lag} records behind the partitions' ends`] };
      }
      case 'standby': return { ready: true, reasons: ['standby: another instance of the group holds the partitions'] };
      case 'recovering': return { ready: false, reasons: ['recovering: replaying input since the last checkpoint'] };
      default: return { ready: false, reasons: [this.mode] };
    }
  }

  /** Records behind the partitions' ends, summed (from the last fetch of each). */
  lag(): number {
    let lag = 0;
    for (const s of this.streams) if (s.highWatermark > s.next && s.next >= 0) lag += s.highWatermark - s.next;
    return lag;
  }

  watermark(): number {
    return this.rounds?.watermark ?? -Infinity;
  }

  // ---- assignment, restore, recovery ----------------------------------------------------

  private async assigned(tps: readonly TopicPartition[]): Promise<void> {
    const gen = ++this.gen;
    let open!: () => void;
    this.ready = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.assignment = tps;
    this.alertLatency.reset();
    try {
      this.mode = 'restoring';
      await this.quiesce();
      if (gen !== this.gen) return;
      if (tps.length === 0) {
        this.streams = [];
        this.byTp.clear();
        this.mode = 'standby';
        this.log.info('standby: another instance of the group holds every partition');
        return;
      }
      await this.restore(tps, gen);
    } finally {
      open();
    }
  }

  /** Waits for a commit in flight and stops the shards (their uncommitted work is dropped). */
  private async quiesce(): Promise<void> {
    if (this.committing !== undefined) await this.committing.catch(() => undefined);
    const r = this.rounds;
    this.rounds = undefined;
    if (r !== undefined) await r.close().catch(() => undefined);
  }

  private async restore(tps: readonly TopicPartition[], gen: number): Promise<void> {
    const c = this.d.config;
    const order = new Map(this.d.inputs.topics.map((t, i) => [t.topic, i]));
    const sorted = [...tps].sort((a, b) => (order.get(a.topic) ?? 99) - (order.get(b.topic) ?? 99) || a.partition - b.partition);
    const cp = await this.d.readCheckpoint();
    const committed = await this.d.admin.committed(c.kafka.groupId, this.d.inputs.topics.map((t) => t.topic));
    const bounds = await this.d.admin.bounds(sorted);
    if (gen !== this.gen) return;
    const saved = new Map((cp?.manifest.streams ?? []).map((s) => [tpKey(s.topic, s.partition), s]));
    const now = this.now();
    this.streams = sorted.map((tp, index) => ({
      index, tp, format: this.d.inputs.topics.find((t) => t.topic === tp.topic)?.format ?? 'confluent',
      next: -1, dispatched: -1, committed: null, recoverTo: null, highWatermark: -1, lastData: now,
      pending: [], held: [], committable: -1, pausedFor: new Set(), oneShort: undefined,
    }));
    this.byTp.clear();
    for (const s of this.streams) this.byTp.set(tpKey(s.tp.topic, s.tp.partition), s);
    if (cp !== undefined) {
      const was = new Map(cp.manifest.rules.map((r) => [r.id, r.version]));
      const changed = this.d.rules.filter((r) => was.get(r.id) !== r.version).map((r) => `${r.id}@${r.version}`);
      if (changed.length > 0) this.log.warn({ rules: changed }, 'rules new or changed since the checkpoint start with empty state');
    }
    const specs: StreamSpec[] = this.streams.map((s) => {
      const p = saved.get(tpKey(s.tp.topic, s.tp.partition));
      const t = this.d.inputs.topics.find((x) => x.topic === s.tp.topic);
      return { topic: s.tp.topic, partition: s.tp.partition, format: s.format, schemaId: t?.schemaId ?? 0, maxTs: INF(p?.maxTs), active: p?.active ?? true };
    });
    const rounds = await Rounds.start<RoundTag>({
      backend: this.d.backend(), maxInFlight: c.maxInFlight, watermark: INF(cp?.manifest.watermark),
      init: {
        rules: c.rules, engine: { ...c.engine }, kindsByTopic: this.d.inputs.topics.map((t) => [t.topic, t.kinds] as const),
        streams: specs, schemas: [...this.schemas], restore: cp?.snapshots ?? [],
      },
      onDeliver: (r, submittedAt) => this.onDeliver(r, submittedAt),
      onIngest: (r) => this.onIngest(r),
    });
    if (gen !== this.gen) {
      await rounds.close();
      return;
    }
    this.rounds = rounds;
    let recovering = 0;
    let fresh = 0;
    for (const s of this.streams) {
      const key = tpKey(s.tp.topic, s.tp.partition);
      const kb = committed.get(key);
      const bb = bounds.get(key);
      const plan = planStart(saved.get(key), kb === undefined ? undefined : Number(kb), bb === undefined ? undefined : { low: Number(bb.low), high: Number(bb.high) }, c.startFrom);
      if (plan.lost !== null) {
        this.log.error({ topic: s.tp.topic, partition: s.tp.partition, from: plan.lost, low: plan.start }, 'records the checkpoint needs were deleted (retention); starting at the first record left: alerts that needed them are missed');
      }
      if (plan.fresh) fresh++;
      if (plan.recoverTo !== null) recovering++;
      if (bb !== undefined) s.highWatermark = Number(bb.high);
      s.committed = plan.committed;
      s.recoverTo = plan.recoverTo;
      s.next = plan.start;
      s.dispatched = plan.start;
      s.committable = plan.start;
      this.d.source.seek(s.tp, plan.start);
    }
    if (cp === undefined && committed.size > 0) {
      this.log.warn('no checkpoint in the state topic but the group has committed offsets: starting from them with empty state (alerts that needed earlier events are missed)');
    }
    this.counters.restores++;
    this.lastCheckpointAt = this.now();
    this.forceCheckpoint = cp === undefined;
    this.checkpointId = cp?.manifest.id ?? 0;
    this.lastFlushTo = INF(cp?.manifest.watermark);
    this.mode = recovering > 0 ? 'recovering' : 'live';
    if (recovering > 0) for (const s of this.streams) if (s.recoverTo === null) this.pause(s, 'recovery');
    this.log.info({
      streams: this.streams.length, shards: rounds.shards, checkpoint: cp?.manifest.id ?? null, recovering, fresh,
      watermark: FIN(rounds.watermark),
    }, cp === undefined ? 'no checkpoint: starting with empty state; consuming' : recovering > 0 ? 'restored the checkpoint; replaying up to the committed offsets' : 'restored the checkpoint; consuming');
    await this.refreshRules();
  }

  private streamOf(tp: TopicPartition): StreamState | undefined {
    return this.byTp.get(tpKey(tp.topic, tp.partition));
  }

  // ---- input ------------------------------------------------------------------------------

  private async batch(b: InputBatch): Promise<void> {
    await this.ready;
    const gen = this.gen;
    const s = this.streamOf(b);
    if (s === undefined || (this.mode !== 'live' && this.mode !== 'recovering')) return;
    if (b.highWatermark > s.highWatermark) s.highWatermark = b.highWatermark;
    // Writer schemas first: a record may only reach a shard once its schema id is known there.
    if (this.d.resolver !== null && s.format === 'confluent') {
      // Records of a topic nearly always share one schema id: look at changes only.
      const ids = new Set<number>();
      let prev = -1;
      for (const m of b.messages) {
        const v = m.value;
        if (v === null || v.length < 5 || v[0] !== 0) continue;
        const id = v.readInt32BE(1);
        if (id !== prev) ids.add(id);
        prev = id;
      }
      const missing = this.d.resolver.missing(ids);
      if (missing.length > 0) {
        const specs = await this.d.resolver.resolve(missing);
        if (gen !== this.gen) return;
        this.schemas.push(...specs);
        this.rounds?.addSchemas(specs);
      }
    }
    let added = 0;
    const recovering = this.mode === 'recovering';
    for (const m of b.messages) {
      if (m.offset < s.next) continue;
      // While any stream replays, a stream at its committed offset holds what follows: a
      // record past it would move time further than the run that committed ever saw.
      if (recovering && (s.recoverTo === null || m.offset >= s.recoverTo)) s.held.push(m);
      else s.pending.push(m);
      s.next = m.offset + 1;
      added++;
    }
    if (added === 0) return;
    s.lastData = this.now();
    if (s.recoverTo !== null && s.next >= s.recoverTo) this.reached(s);
    if (this.pendingCount() >= this.d.config.roundMaxValues) await this.dispatch();
    else this.scheduleDispatch();
    if (this.mode === 'recovering' && this.streams.every((x) => x.recoverTo === null)) await this.finishRecovery(gen);
  }

  /** A stream is back at its committed offset: hold what follows until every stream is. */
  private reached(s: StreamState): void {
    s.recoverTo = null;
    if (this.streams.some((x) => x.recoverTo !== null)) this.pause(s, 'recovery');
  }

  private async finishRecovery(gen: number): Promise<void> {
    if (this.mode !== 'recovering' || this.finishing) return;
    this.finishing = true;
    try {
      await this.dispatch();
      const r = this.rounds;
      if (r === undefined || gen !== this.gen) return;
      await r.barrier();
    } catch (err) {
      this.restartSoon(err);
      return;
    } finally {
      this.finishing = false;
    }
    const r = this.rounds;
    if (r === undefined || gen !== this.gen) return;
    // Everything so far came from records before the committed offsets: the run that read
    // them committed these outputs already. Only now may commits run again.
    const out = r.take().output;
    this.mode = 'live';
    const suppressed = out.alerts.length + out.rejected.length + out.late.length;
    this.counters.suppressedOutputs += suppressed;
    this.counters.recoveredValues += out.values;
    for (const s of this.streams) {
      s.committable = s.dispatched;
      s.pending.push(...s.held);
      s.held = [];
      this.unpause(s, 'recovery');
    }
    this.alertLatency.reset();
    this.log.info({ replayed: out.values, suppressed }, 'recovered: caught up with the committed offsets; live');
    this.scheduleDispatch();
  }

  private pendingCount(): number {
    let n = 0;
    for (const s of this.streams) n += s.pending.length;
    return n;
  }

  private pause(s: StreamState, why: 'backpressure' | 'recovery'): void {
    if (s.pausedFor.size === 0) this.d.source.pause([s.tp]);
    s.pausedFor.add(why);
  }

  private unpause(s: StreamState, why: 'backpressure' | 'recovery'): void {
    if (!s.pausedFor.delete(why)) return;
    if (s.pausedFor.size === 0) this.d.source.resume([s.tp]);
  }

  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      void this.dispatch();
    });
  }

  /**
   * Sends what is pending as one round, one dispatch at a time. While a commit draws its line
   * (hold), new dispatches wait before joining the chain, never inside it.
   */
  private dispatch(unheld = false, control = false): Promise<void> {
    if (!unheld && this.hold !== undefined) return this.hold.then(() => this.dispatch(false, control));
    const run = async (): Promise<void> => {
      const r = this.rounds;
      if (r === undefined) return;
      const parts: StreamValues[] = [];
      const tag: RoundTag = { positions: [] };
      const at = performance.now();
      for (const s of this.streams) {
        if (s.pending.length === 0) continue;
        const msgs = s.pending;
        s.pending = [];
        const n = msgs.length;
        const offsets = new Float64Array(n);
        const timestamps = new Float64Array(n);
        const values = new Array<Uint8Array>(n);
        const keys = new Array<Uint8Array | null>(n);
        for (let i = 0; i < n; i++) {
          const m = msgs[i] as InputMessage;
          offsets[i] = m.offset;
          timestamps[i] = m.timestamp;
          values[i] = m.value ?? EMPTY;
          keys[i] = m.key;
        }
        s.dispatched = (msgs[n - 1] as InputMessage).offset + 1;
        tag.positions.push([s.index, s.dispatched]);
        this.arrivals.add(s.index, at, offsets, timestamps);
        parts.push({ stream: s.index, values, offsets, keys, timestamps });
      }
      if (parts.length === 0 && !control) return;
      this.counters.rounds++;
      for (const p of parts) this.counters.roundValues += p.values.length;
      const full = r.inFlight >= this.d.config.maxInFlight;
      if (full) {
        this.counters.backpressurePauses++;
        for (const s of this.streams) this.pause(s, 'backpressure');
      }
      try {
        await r.submit(parts, tag);
      } catch (err) {
        this.restartSoon(err);
      } finally {
        if (full) for (const s of this.streams) this.unpause(s, 'backpressure');
      }
    };
    this.dispatching = this.dispatching.then(run, run);
    return this.dispatching;
  }

  /** A control round (new watermark, flush, rule toggles) with whatever is pending. */
  private submitControl(): Promise<void> {
    return this.dispatch(false, true);
  }

  // ---- idle input -------------------------------------------------------------------------

  /**
   * A stream is idle when nothing came from it for idleTimeoutMs while the consumer kept
   * fetching, it is not paused, and the broker confirms it is read to its end (idle.ts). A
   * stream with a backlog is never idle, however slow the pipeline.
   */
  private idleCheck(): void {
    const r = this.rounds;
    if (r === undefined || this.mode !== 'live' || this.idlePolling) return;
    const now = this.now();
    const idleFor = this.d.config.idleTimeoutMs;
    if (now - this.lastFetch > Math.max(2000, idleFor / 2)) return;
    const quiet = this.streams.filter((s) => r.clock.isActive(s.index) && s.pending.length === 0 && s.pausedFor.size === 0 && now - s.lastData >= idleFor);
    const allQuiet = this.streams.length > 0 && this.streams.every((s) => !r.clock.isActive(s.index) || quiet.includes(s));
    if (quiet.length === 0 && !(allQuiet && r.clock.maxTsOverall() > this.lastFlushTo)) return;
    this.idlePolling = true;
    const gen = this.gen;
    void this.d.admin.highWatermarks(this.streams.map((s) => s.tp)).then((hws) => {
      if (gen !== this.gen || this.rounds !== r || this.mode !== 'live') return;
      let changed = false;
      for (const s of quiet) {
        const hw = hws.get(tpKey(s.tp.topic, s.tp.partition));
        if (hw === undefined || s.lastData > now) continue;
        if (readToEnd(s, Number(hw), now, idleFor)) {
          r.clock.setActive(s.index, false);
          changed = true;
        }
      }
      const maxTs = r.clock.maxTsOverall();
      if (this.streams.every((s) => !r.clock.isActive(s.index)) && maxTs > this.lastFlushTo) {
        // Nothing arrives anywhere: release what waits for later events (as at the end of a
        // replay). Events older than this that arrive later are late.
        r.requestFlush();
        this.lastFlushTo = maxTs;
        changed = true;
        this.log.info({ eventTime: new Date(maxTs).toISOString() }, 'input idle: flushed buffered events and due timers up to the latest event time');
      }
      if (changed) {
        this.forceCheckpoint = true;
        r.requestAdvance();
        void this.submitControl();
      }
    }).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'could not read high watermarks for idle detection');
    }).finally(() => {
      this.idlePolling = false;
    });
  }

  // ---- commit -----------------------------------------------------------------------------

  /** One commit: outputs since the last one, offsets, and a checkpoint when due. */
  commit(final: boolean): Promise<void> {
    if (this.committing !== undefined) return final ? this.committing.then(() => this.commit(true)) : this.committing;
    if (this.mode !== 'live' && !(final && this.mode === 'stopping')) return Promise.resolve();
    const p = this.commitNow(final).finally(() => {
      this.committing = undefined;
    });
    this.committing = p;
    return p;
  }

  private async commitNow(final: boolean): Promise<void> {
    const r = this.rounds;
    if (r === undefined) return;
    const gen = this.gen;
    const due = final || this.forceCheckpoint || (this.now() - this.lastCheckpointAt >= this.d.config.snapshotIntervalMs && this.streams.some((s) => s.dispatched !== s.committed));
    let taken: Taken<RoundTag>;
    let cut: Cut | undefined;
    let snapshots: Uint8Array[] = [];
    try {
      if (due) {
        // A checkpoint is a cut after the last submitted round: no round may start until the
        // shards' snapshot tasks are queued behind it (a short hold, not a drain).
        let release!: () => void;
        this.hold = new Promise<void>((resolve) => {
          release = resolve;
        });
        try {
          await this.dispatch(true);
          cut = await r.cut();
        } finally {
          this.hold = undefined;
          release();
        }
        const raw = await cut.snapshots;
        await r.completedThrough(cut.through);
        taken = r.take(cut.through);
        snapshots = await Promise.all(raw.map(async (b) => new Uint8Array(await deflate(b))));
      } else {
        taken = r.take();
      }
    } catch (err) {
      this.restartSoon(err);
      return;
    }
    if (gen !== this.gen) return;
    for (const t of taken.tags) {
      for (const [stream, pos] of t.positions) {
        const s = this.streams[stream];
        if (s !== undefined) s.committable = pos;
      }
    }
    const out = taken.output;
    const offsets: OffsetCommit[] = this.streams.filter((s) => s.committable >= 0 && s.committable !== s.committed)
      .map((s) => ({ topic: s.tp.topic, partition: s.tp.partition, offset: BigInt(s.committable) }));
    let checkpoint: { records: OutputRecord[]; keys: Set<string>; bytes: number } | undefined;
    let records: CommitRecords;
    if (cut !== undefined) {
      const c = cut;
      const streams: CheckpointStream[] = this.streams.map((s) => ({
        topic: s.tp.topic, partition: s.tp.partition, offset: s.committable >= 0 ? String(s.committable) : null,
        maxTs: FIN(c.maxTs[s.index] ?? -Infinity), active: c.active[s.index] ?? true,
      }));
      const built = checkpointRecords({
        format: 1, group: this.d.config.kafka.groupId, id: this.checkpointId + 1, createdAt: new Date(this.now()).toISOString(), streams, watermark: FIN(c.watermark), rules: this.d.rules,
      }, snapshots, this.previousCheckpointKeys);
      checkpoint = { ...built, bytes: snapshots.reduce((n, b) => n + b.length, 0) };
    }
    try {
      records = await commitRecords(out, (i) => this.streams[i]?.tp, this.d.config.output, this.d.encodeAlert, checkpoint?.records);
      if (records.batches.every((b) => b.records.length === 0) && offsets.length === 0) return;
      await this.d.sink.commit(records.batches, offsets, this.d.config.kafka.groupId);
    } catch (err) {
      if (isFenced(err)) {
        this.d.onFatal(new CepError('CEP_ERR_FENCED', `another instance of group ${this.d.config.kafka.groupId} took over (same transactional id); this one stops: ${(err as Error).message}`));
        return;
      }
      this.log.error({ err: (err as Error).message }, 'commit failed; restoring the last checkpoint');
      this.restartSoon(err);
      return;
    }
    for (const o of offsets) {
      const st = this.streamOf(o);
      if (st !== undefined) st.committed = Number(o.offset);
    }
    this.counters.commits++;
    this.counters.deadLetters += records.deadLetters;
    this.counters.late += records.late;
    for (const [code, n] of records.codes) this.deadLettersByCode.set(code, (this.deadLettersByCode.get(code) ?? 0) + n);
    this.counters.alerts += out.alerts.length;
    this.counters.values += out.values;
    this.counters.ruleErrors += out.ruleErrors.length;
    this.counters.overflowDropped += out.overflowDropped;
    this.alertLatency.committed(out.alerts);
    if (checkpoint !== undefined) {
      this.checkpointId++;
      this.previousCheckpointKeys = checkpoint.keys;
      this.lastCheckpointAt = this.now();
      this.forceCheckpoint = false;
      this.counters.checkpoints++;
      this.counters.checkpointBytes = checkpoint.bytes;
    }
    for (const e of out.ruleErrors.slice(0, 5)) this.log.warn({ rule: e.ruleId, key: e.key, event: e.eventId, error: e.error }, 'rule error (the rule skipped this event; other rules ran)');
  }

  // ---- shard results ----------------------------------------------------------------------

  private onIngest(r: IngestResult): void {
    this.d.latency.recordBatch(r.micros);
  }

  private onDeliver(r: DeliverResult, submittedAt: number): void {
    this.d.latency.recordBatch(r.micros);
    if (r.alerts.length === 0) return;
    this.alertLatency.emitted(r.alerts, submittedAt);
    this.counters.unmeasuredLatency = this.alertLatency.unmeasured;
  }

  private async refreshRules(): Promise<void> {
    const r = this.rounds;
    if (r === undefined) return;
    try {
      const infos = await r.info();
      this.shardLoad = infos.map((i) => ({ busyMs: i.busyMs, idleMs: i.idleMs }));
      this.ruleCache = mergeRuleInfos(infos.map((i) => i.rules));
    } catch {
      // the next round reports the failure
    }
  }

  // ---- failure and stop -------------------------------------------------------------------

  /**
   * Restores every shard from the last checkpoint (a shard died, a commit failed), once the
   * current commit or dispatch has unwound. Batches wait meanwhile.
   */
  private restartSoon(err: unknown): void {
    if (this.mode === 'stopping' || this.mode === 'stopped' || this.restarting) return;
    this.restarting = true;
    const gen = this.gen;
    this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'pipeline failed; restoring from the last checkpoint');
    setImmediate(() => {
      this.restarting = false;
      if (gen === this.gen) void this.assigned(this.assignment).catch((e: unknown) => this.d.onFatal(e instanceof Error ? e : new Error(String(e))));
    });
  }

  /** Graceful stop: no more input, what was read is processed and committed with a checkpoint. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const wasLive = this.mode === 'live';
    this.mode = 'stopping';
    for (const s of this.streams) this.pause(s, 'backpressure');
    if (wasLive) {
      try {
        await this.commit(true);
      } catch (err) {
        this.log.error({ err: (err as Error).message }, 'final commit failed; the next start replays from the last checkpoint');
      }
    }
    const r = this.rounds;
    this.rounds = undefined;
    await r?.close();
    this.mode = 'stopped';
  }
}
