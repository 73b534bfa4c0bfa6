// The service pipeline: Kafka records in, shard rounds, one transaction per commit out.
//
//   source batch ─► intake ─► stream.pending ─► round (dispatch.ts) ─► outputs ─┐
//                   (recovery hold)                                               ├► commit (commit.ts): alerts,
//   an alert soon, else every commitIntervalMs: the done prefix of the rounds ───┘  dead letters, late events,
//                           [a checkpoint cut after the last round, when due]        offsets [, checkpoint]: one
//                                                                                     Kafka transaction
// Exactly once, across crashes: the state checkpoint (engine snapshots + stream positions)
// commits in a transaction with the offsets it corresponds to, the committed offsets O_c
// are always at or after the last checkpoint's O_s, and processing is deterministic. A
// restart restores the checkpoint, reads O_s..O_c again with outputs suppressed (they were
// committed by the run that read them: the same alerts, since the result does not depend on
// batching), and carries on from O_c. Idleness depends on the wall clock, so it forces a
// checkpoint at the next commit: a replay never crosses one. Rule changes are in the control
// log with their event-time boundaries (rule-log.ts), so a replay applies them where they were.
//
// A failure (a commit, a shard) restores the last checkpoint in place, after a wait that grows
// while failures repeat; a restore that fails on something passing (the broker unreachable) is
// tried again the same way. Health (health.ts) keeps what /readyz, /metrics and the logs say.
//
// This class is the facade: it holds the service state (service-state.ts), makes its
// transitions, and routes the consumer's handlers (input: input.ts), the timers and the API
// to the current run.
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Inputs } from '../config/inputs.ts';
import type { Alert } from '../core/alert.ts';
import type { RuleInfo } from '../core/engine/index.ts';
import type { KafkaAdmin } from '../kafka/admin.ts';
import { tpKey } from '../kafka/admin.ts';
import { isConnectionError, rootMessage } from '../kafka/kafka-errors.ts';
import type { SchemaResolver } from '../kafka/registry.ts';
import type { TransactionalSink } from '../kafka/sink.ts';
import type { InputSource, SourceHandlers, TopicPartition } from '../kafka/source.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { DeliverResult, SchemaSpec } from '../workers/protocol.ts';
import type { ShardBackend } from '../workers/shard-pool.ts';
import { AlertLatency, recordDelivered } from './alert-latency.ts';
import { ArrivalLog } from './arrivals.ts';
import type { Checkpoint } from './checkpoint.ts';
import { restartDelayMs, restoreRetryMs, type CommitFailure } from './commit-failure.ts';
import { countCommitted, createCounters, type Committed, type Counters } from './counters.ts';
import { futureEventsWarning } from './dead-letter.ts';
import { Health, type PipelineView } from './health.ts';
import { AlertCommits } from './alert-commits.ts';
import { asError, interval, once, pause } from './clock.ts';
import { idleCheckEveryMs } from './idle.ts';
import { KeySpaceWatch } from './key-spaces.ts';
import { takeBatch, type InputHost } from './input.ts';
import type { Readiness } from './readiness.ts';
import { restoreWithRetry, type RestoreDeps } from './restore.ts';
import { mergeRuleInfos } from './rule-info.ts';
import type { RuleLog } from './rule-log.ts';
import type { Run } from './run.ts';
import { consuming, leftBehind, runOf, type ServiceState, type Status } from './service-state.ts';
import { rereadLimits, type TopicLimits } from './topic-limits.ts';

export interface PipelineDeps {
  readonly config: Config;
  readonly inputs: Inputs;
  readonly log: Logger;
  readonly source: InputSource;
  readonly sink: Pick<TransactionalSink, 'commit'>;
  readonly admin: Pick<KafkaAdmin, 'committed' | 'bounds' | 'highWatermarks'>;
  /** Null when every input topic is plain Avro. */
  readonly resolver: Pick<SchemaResolver, 'missing' | 'resolve'> | null;
  /** Encodes alerts for the alerts topic (Confluent framing, registered alert schema). */
  readonly encodeAlert: (alert: Alert) => Promise<Buffer>;
  readonly readCheckpoint: () => Promise<Checkpoint | undefined>;
  readonly backend: () => ShardBackend;
  /** Rules as loaded at start (id, version), recorded in checkpoints. */
  readonly rules: readonly { readonly id: string; readonly version: number }[];
  readonly latency: LatencyRecorder;
  /** Something the pipeline cannot recover from by itself (fenced by another instance). */
  readonly onFatal: (err: Error) => void;
  /** Wall clock (ms since the epoch); default Date.now. */
  readonly now?: () => number;
  /** Calls `f` every `ms` until the returned function is called; default setInterval. */
  readonly every?: (ms: number, f: () => void) => () => void;
  /** Calls `f` once after `ms` (returns a cancel); default an unref'd setTimeout. */
  readonly after?: (ms: number, f: () => void) => () => void;
  /** Runs `f` soon, after the current work; default setImmediate. */
  readonly defer?: (f: () => void) => void;
  /** Waits `ms` (retries); default an unref'd setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The output topics' max.message.bytes (topic-limits.ts). */
  readonly limits: Pick<TopicLimits, 'of' | 'refresh'>;
  /** The control log (rule-log.ts): read at each restore, written with the commits of the rounds that carry its changes. */
  readonly ruleLog?: Pick<RuleLog, 'specs' | 'records' | 'committed' | 'abandon'>;
}

/** A restore after a failure: after `waitMs`, and reading the output topics' limits again first when a record was too large. */
interface Retry {
  readonly waitMs: number;
  readonly refreshLimits: boolean;
}

export class Pipeline {
  readonly counters: Counters = createCounters();
  readonly deadLettersByCode = new Map<string, number>();
  /** Busy and idle ms of each shard thread since it started, refreshed with the rules. */
  shardLoad: { busyMs: number; idleMs: number }[] = [];
  /** The key budget per key space over all shards, refreshed with the rules. */
  readonly keySpaces: KeySpaceWatch;
  private state: ServiceState = { status: 'starting' };
  private readonly d: PipelineDeps;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Writer schemas known to this process: every run's shards get all of them. */
  private readonly schemas: SchemaSpec[] = [];
  private readonly arrivals = new ArrivalLog();
  private readonly alertLatency: AlertLatency;
  private ruleCache: RuleInfo[] = [];
  private shadowCache: RuleInfo[] = [];
  private evaluatedIds: readonly string[] | undefined; // rule ids by engine index as the shards last sent them
  private timers: (() => void)[] = [];
  /** Wall ms of the consumer's last fetch: idleness is only judged while it is reading. */
  private lastFetch = 0;
  /** Pipeline failures (commits, shards) since the last transaction that went through. */
  private failures = 0;
  readonly health: Health;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly input: InputHost;
  /** When commits start: soon after an alert, else on the tick (alert-commits.ts). */
  private readonly commits: AlertCommits;

  constructor(d: PipelineDeps) {
    this.d = d;
    this.log = d.log;
    this.now = d.now ?? Date.now;
    this.sleep = d.sleep ?? pause;
    this.health = new Health(d.config, d.log, this.now());
    this.keySpaces = new KeySpaceWatch(d.log);
    this.schemas.push(...d.inputs.plainSchemas);
    this.alertLatency = new AlertLatency(d.latency, this.arrivals, (src) => runOf(this.state)?.table.of(src)?.index);
    this.commits = new AlertCommits({
      delayMs: d.config.alertCommitDelayMs, minGapMs: d.config.alertCommitGapMs, now: this.now, after: d.after ?? once, commit: () => this.commit(false),
    });
    this.input = {
      state: () => this.state, enter: (next) => this.enter(next), restart: (run, err) => this.restart(run, err), resolver: d.resolver, schemas: this.schemas,
      roundMaxValues: d.config.roundMaxValues, now: this.now, counters: this.counters, log: d.log, live: () => this.alertLatency.reset(),
    };
  }

  get mode(): Status {
    return this.state.status;
  }

  /** The handlers the source calls. */
  handlers(): SourceHandlers {
    return {
      assigned: (tps) => this.assigned(tps),
      revoking: () => {
        this.log.info('rebalance: partitions are being revoked');
      },
      batch: (b) => takeBatch(this.input, b),
      progress: (tp, hw) => {
        const s = runOf(this.state)?.table.of(tp);
        if (s !== undefined && hw > s.highWatermark) s.highWatermark = hw;
      },
      fetched: () => {
        this.lastFetch = this.now();
        this.health.ok(this.lastFetch);
      },
      crashed: (err) => this.d.onFatal(err),
    };
  }

  /** Starts the commit, idle and rule-info timers. */
  start(): void {
    const c = this.d.config;
    const every = this.d.every ?? interval;
    this.timers.push(every(c.commitIntervalMs, () => this.commits.tick()));
    this.timers.push(every(idleCheckEveryMs(c.idleTimeoutMs), () => this.idleCheck()));
    this.timers.push(every(2000, () => void this.refreshRules()));
    this.timers.push(every(1000, () => this.health.check(this.now(), this.view())));
  }

  /** kafkajs said a broker could not be reached (any of the service's clients). */
  brokerError(message: string): void {
    this.health.error(this.now(), message);
  }

  // ---- what the API reads ---------------------------------------------------------------

  rules(): RuleInfo[] {
    return this.ruleCache;
  }
  /** The candidates in shadow (shadow mode), as the shards last listed them. */
  shadowRules = (): RuleInfo[] => this.shadowCache;

  /** The run holding the partitions (state queries: state-query.ts, stream control: stream-control.ts); undefined when none. */
  heldRun(): Run | undefined {
    return runOf(this.state);
  }

  readiness(): Readiness {
    return this.health.readiness(this.now(), this.view());
  }

  private view(): PipelineView {
    const run = runOf(this.state);
    let lastInput = 0;
    for (const st of run?.table.streams ?? []) lastInput = Math.max(lastInput, st.lastData);
    return { status: this.state.status, lag: this.lag(), watermark: run?.rounds.watermark, lastInput };
  }

  /** Records behind the partitions' ends, summed (from the last fetch of each). */
  lag(): number {
    return runOf(this.state)?.table.lag() ?? 0;
  }

  watermark(): number {
    return runOf(this.state)?.rounds.watermark ?? -Infinity;
  }

  // ---- transitions ------------------------------------------------------------------------

  /** The one place the state changes: a run the new state does not hold is retired. */
  private enter(next: ServiceState): void {
    const old = leftBehind(this.state, next);
    this.state = next;
    old?.retire();
  }

  private async assigned(tps: readonly TopicPartition[], retry?: Retry): Promise<void> {
    if (this.state.status === 'stopping' || this.state.status === 'stopped') return;
    let restored!: () => void;
    const state: ServiceState = { status: 'restoring', assignment: tps, restored: new Promise<void>((resolve) => {
      restored = resolve;
    }) };
    const previous = runOf(this.state);
    this.enter(state);
    this.d.ruleLog?.abandon(`the instance is restoring its checkpoint (${tps.length === 0 ? 'no partitions' : 'a new assignment or a failure'})`);
    this.alertLatency.reset();
    try {
      await previous?.close();
      if (this.state !== state) return;
      if (tps.length === 0) {
        this.enter({ status: 'standby' });
        this.log.info('standby: another instance of the group holds every partition');
        return;
      }
      const wanted = (): boolean => this.state === state;
      if (retry !== undefined) {
        if (retry.waitMs > 0) await this.sleep(retry.waitMs);
        if (!wanted()) return;
        if (retry.refreshLimits) await rereadLimits(this.d.limits, this.log);
      }
      const r = await restoreWithRetry(this.restoreDeps(), tps, wanted, {
        sleep: this.sleep, waitMs: restoreRetryMs,
        failed: (err, _attempt, waitMs) => this.health.restoreFailed(this.now(), rootMessage(err), waitMs, isConnectionError(err), err),
      });
      if (r === undefined) return;
      this.health.restored(this.now());
      // The retry of a failed commit is a commit: one carrying a checkpoint, due at once.
      if (retry !== undefined && this.health.commitStreak > 0) r.run.committer.requestCheckpoint();
      if (this.state !== state) {
        r.run.retire();
        await r.run.close();
        return;
      }
      const hold = r.hold;
      r.run.begin(hold === undefined ? undefined : (i) => hold.recovering(i));
      this.counters.restores++;
      this.enter(hold === undefined ? { status: 'live', assignment: tps, run: r.run } : { status: 'recovering', assignment: tps, run: r.run, hold });
      r.run.rounds.addSchemas(this.schemas.slice(r.schemasSent));
      this.log.info(r.summary.fields, r.summary.msg);
      await this.refreshRules();
    } finally {
      restored();
    }
  }

  /**
   * A run's shards or its commit failed: restore every shard from the last checkpoint, after a
   * wait that grows while failures repeat (commit-failure.ts), never in a tight loop.
   */
  private restart(run: Run, err: unknown, f?: CommitFailure): void {
    const s = consuming(this.state);
    if (s === undefined || s.run !== run) return;
    const waitMs = restartDelayMs(++this.failures);
    if (f === undefined) this.log.error({ err, failures: this.failures, retryInMs: waitMs }, 'pipeline failed; restoring from the last checkpoint');
    else this.health.commitFailed(this.now(), f, waitMs, err);
    void this.assigned(s.assignment, { waitMs, refreshLimits: f?.cause === 'too-large' }).catch((e: unknown) => this.d.onFatal(asError(e)));
  }

  // ---- idle input, commits, shard reports -------------------------------------------------

  private idleCheck(): void {
    const s = this.state;
    if (s.status !== 'live') return;
    void s.run.idle.check(this.now(), this.lastFetch, () => this.state === s);
  }

  private idleChanged(run: Run, flushedTo: number | undefined): void {
    if (flushedTo !== undefined) {
      // Nothing arrives anywhere: what waits was released (as at a replay's end); older events arriving later are late.
      this.log.info({ eventTime: new Date(flushedTo).toISOString() }, 'input idle: flushed buffered events and due timers up to the latest event time');
    }
    run.committer.requestCheckpoint();
    void run.dispatcher.dispatch(true);
  }

  /** One commit: outputs since the last one, offsets, and a checkpoint when due (always when final). */
  commit(final: boolean): Promise<void> {
    const s = this.state;
    if (s.status === 'live' || (final && s.status === 'stopping' && s.final)) return s.run?.committer.commit(final) ?? Promise.resolve();
    return Promise.resolve();
  }

  private committed(c: Committed): void {
    this.failures = 0;
    this.health.committed(this.now());
    countCommitted(this.counters, this.deadLettersByCode, c);
    this.d.ruleLog?.committed(c.output.ruleChanges ?? []);
    if (c.byReference > 0) this.log.warn({ count: c.byReference, topic: this.d.config.output.deadLetter }, 'dead letters too big for their topic written by reference (cepheus.value.truncated): the records stay in their source topics');
    const future = futureEventsWarning(c);
    if (future !== undefined) this.log.warn(future.fields, future.msg);
    for (const t of c.trimmed) this.log.warn({ alert: t.id, rule: t.ruleId, kept: t.kept, matched: t.total }, 'alert too big for the alerts topic written with fewer matched events (the first and last of each step)');
    this.alertLatency.committed(c.output.alerts, this.now());
    for (const e of c.output.ruleErrors.slice(0, 5)) this.log.warn({ rule: e.ruleId, key: e.key, event: e.eventId, error: e.error }, 'rule error (the rule skipped this event; other rules ran)');
  }

  private delivered(r: DeliverResult, submittedAt: number): void {
    this.evaluatedIds = r.ruleIds ?? this.evaluatedIds ?? this.d.rules.map((x) => x.id);
    recordDelivered(this.d.latency, this.evaluatedIds, r);
    if (r.alerts.length === 0) return;
    this.commits.alert();
    this.alertLatency.emitted(r.alerts, submittedAt);
    this.counters.unmeasuredLatency = this.alertLatency.unmeasured;
  }

  private async refreshRules(): Promise<void> {
    const run = runOf(this.state);
    if (run === undefined) return;
    try {
      const infos = await run.rounds.info();
      this.shardLoad = infos.map((i) => ({ busyMs: i.busyMs, idleMs: i.idleMs }));
      this.ruleCache = mergeRuleInfos(infos.map((i) => i.rules));
      this.shadowCache = mergeRuleInfos(infos.map((i) => i.shadows));
      this.keySpaces.update(infos.map((i) => i.stats.spaces), this.now());
    } catch {
      // the next round reports the failure
    }
  }

  private restoreDeps(): RestoreDeps {
    const d = this.d;
    return {
      config: d.config, rules: d.rules, sink: d.sink, encodeAlert: d.encodeAlert, counters: this.counters, arrivals: this.arrivals, log: this.log, now: this.now,
      ...(d.defer === undefined ? {} : { defer: d.defer }),
      inputs: d.inputs, admin: d.admin, readCheckpoint: d.readCheckpoint, backend: d.backend, source: d.source, schemas: this.schemas,
      ...(d.ruleLog === undefined ? {} : { ruleChanges: () => d.ruleLog?.specs() ?? Promise.resolve([]), controlRecords: (changes) => d.ruleLog?.records(changes) }),
      highWatermarks: async (run) => {
        const hws = await d.admin.highWatermarks(run.table.streams.map((s) => s.tp));
        this.health.ok(this.now());
        const out = new Map<number, number>();
        for (const s of run.table.streams) {
          const hw = hws.get(tpKey(s.tp.topic, s.tp.partition));
          if (hw !== undefined) out.set(s.index, Number(hw));
        }
        return out;
      },
      failed: (run, err) => this.restart(run, err),
      commitFailed: (run, err, f) => this.restart(run, err, f),
      limitOf: (topic) => d.limits.of(topic),
      fenced: (err) => d.onFatal(err),
      committed: (c) => this.committed(c),
      idleChanged: (run, flushedTo) => this.idleChanged(run, flushedTo),
      onDeliver: (r, submittedAt) => this.delivered(r, submittedAt),
      onIngest: (r) => d.latency.recordBatch(r.micros),
    };
  }

  // ---- stop -------------------------------------------------------------------------------

  /** Graceful stop: no more input, what was read is processed and committed with a checkpoint. */
  async stop(): Promise<void> {
    for (const cancel of this.timers) cancel();
    this.timers = [];
    this.commits.stop();
    const s = this.state;
    if (s.status === 'stopping' || s.status === 'stopped') return;
    const run = runOf(s);
    this.enter({ status: 'stopping', run, final: s.status === 'live' });
    run?.table.pauseAll('stopping');
    if (s.status === 'live') {
      try {
        await this.commit(true);
      } catch (err) {
        this.log.error({ err }, 'final commit failed; the next start replays from the last checkpoint');
      }
    }
    run?.retire();
    await run?.close();
    this.d.ruleLog?.abandon('the instance stopped');
    this.enter({ status: 'stopped' });
  }
}
