// The service pipeline: Kafka records in, shard rounds, one transaction per commit out.
//
//   source batch ─► intake ─► stream.pending ─► round (dispatch.ts) ─► outputs ─┐
//                   (recovery hold)                                               ├► commit (commit.ts): alerts,
//   every commitIntervalMs: the done prefix of the rounds ───────────────────────┘  dead letters, late events,
//                           [a checkpoint cut after the last round, when due]        offsets [, checkpoint]: one
//                                                                                     Kafka transaction
// Exactly once, across crashes: the state checkpoint (engine snapshots + stream positions)
// commits in a transaction with the offsets it corresponds to, the committed offsets O_c
// are always at or after the last checkpoint's O_s, and processing is deterministic. A
// restart restores the checkpoint, reads O_s..O_c again with outputs suppressed (they were
// committed by the run that read them: the same alerts, since the result does not depend on
// batching), and carries on from O_c. Idleness and rule toggles depend on the wall clock or
// on an operator, so each forces a checkpoint at the next commit: a replay never crosses one.
//
// This class is the facade: it holds the service state (service-state.ts), makes its
// transitions, and routes the consumer's handlers, the timers and the API to the current run.
import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Inputs } from '../config/inputs.ts';
import type { Alert } from '../core/alert.ts';
import type { RuleInfo } from '../core/engine/index.ts';
import type { KafkaAdmin } from '../kafka/admin.ts';
import { tpKey } from '../kafka/admin.ts';
import type { SchemaResolver } from '../kafka/registry.ts';
import type { TransactionalSink } from '../kafka/sink.ts';
import type { InputBatch, InputSource, SourceHandlers, TopicPartition } from '../kafka/source.ts';
import type { LatencyRecorder } from '../metrics/latency.ts';
import type { DeliverResult, SchemaSpec } from '../workers/protocol.ts';
import type { ShardBackend } from '../workers/shard-pool.ts';
import { AlertLatency } from './alert-latency.ts';
import { ArrivalLog } from './arrivals.ts';
import type { Checkpoint } from './checkpoint.ts';
import { countCommitted, countRecovered, createCounters } from './counters.ts';
import type { Committed, Counters } from './counters.ts';
import { idleCheckEveryMs } from './idle.ts';
import { intake, schemaIdsOf } from './intake.ts';
import { readiness } from './readiness.ts';
import type { Readiness } from './readiness.ts';
import { restore } from './restore.ts';
import type { RestoreDeps } from './restore.ts';
import { mergeRuleInfos } from './rule-info.ts';
import type { Run } from './run.ts';
import { consuming, leftBehind, runOf } from './service-state.ts';
import type { ServiceState, Status } from './service-state.ts';

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
  /** Runs `f` soon, after the current work; default setImmediate. */
  readonly defer?: (f: () => void) => void;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));
const interval = (ms: number, f: () => void): (() => void) => {
  const t = setInterval(f, ms);
  return () => clearInterval(t);
};

export class Pipeline {
  readonly counters: Counters = createCounters();
  readonly deadLettersByCode = new Map<string, number>();
  /** Busy and idle ms of each shard thread since it started, refreshed with the rules. */
  shardLoad: { busyMs: number; idleMs: number }[] = [];
  private state: ServiceState = { status: 'starting' };
  private readonly d: PipelineDeps;
  private readonly log: Logger;
  private readonly now: () => number;
  /** Writer schemas known to this process: every run's shards get all of them. */
  private readonly schemas: SchemaSpec[] = [];
  private readonly arrivals = new ArrivalLog();
  private readonly alertLatency: AlertLatency;
  private ruleCache: RuleInfo[] = [];
  private timers: (() => void)[] = [];
  /** Wall ms of the consumer's last fetch: idleness is only judged while it is reading. */
  private lastFetch = 0;

  constructor(d: PipelineDeps) {
    this.d = d;
    this.log = d.log;
    this.now = d.now ?? Date.now;
    this.schemas.push(...d.inputs.plainSchemas);
    this.alertLatency = new AlertLatency(d.latency, this.arrivals, (src) => runOf(this.state)?.table.of(src)?.index);
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
      batch: (b) => this.batch(b),
      progress: (tp, hw) => {
        const s = runOf(this.state)?.table.of(tp);
        if (s !== undefined && hw > s.highWatermark) s.highWatermark = hw;
      },
      fetched: () => {
        this.lastFetch = this.now();
      },
      crashed: (err) => this.d.onFatal(err),
    };
  }

  /** Starts the commit, idle and rule-info timers. */
  start(): void {
    const c = this.d.config;
    const every = this.d.every ?? interval;
    this.timers.push(every(c.commitIntervalMs, () => void this.commit(false)));
    this.timers.push(every(idleCheckEveryMs(c.idleTimeoutMs), () => this.idleCheck()));
    this.timers.push(every(2000, () => void this.refreshRules()));
  }

  // ---- what the API reads ---------------------------------------------------------------

  rules(): RuleInfo[] {
    return this.ruleCache;
  }

  /** Toggles a rule on every shard at the next round; the change is checkpointed at the next commit. */
  setEnabled(id: string, enabled: boolean): boolean {
    if (!this.d.rules.some((r) => r.id === id)) return false;
    const run = runOf(this.state);
    if (run !== undefined) {
      run.rounds.toggle(id, enabled);
      run.committer.requestCheckpoint();
      void run.dispatcher.dispatch(true);
    }
    this.ruleCache = this.ruleCache.map((r) => (r.id === id ? { ...r, enabled } : r));
    return true;
  }

  /** The shard rounds of the run holding the partitions (state queries: state-query.ts); undefined when none. */
  heldRounds(): Run['rounds'] | undefined {
    return runOf(this.state)?.rounds;
  }

  readiness(): Readiness {
    return readiness(this.state.status, this.lag(), this.d.config.roundMaxValues);
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

  private async assigned(tps: readonly TopicPartition[]): Promise<void> {
    if (this.state.status === 'stopping' || this.state.status === 'stopped') return;
    let restored!: () => void;
    const state: ServiceState = { status: 'restoring', assignment: tps, restored: new Promise<void>((resolve) => {
      restored = resolve;
    }) };
    const previous = runOf(this.state);
    this.enter(state);
    this.alertLatency.reset();
    try {
      await previous?.close();
      if (this.state !== state) return;
      if (tps.length === 0) {
        this.enter({ status: 'standby' });
        this.log.info('standby: another instance of the group holds every partition');
        return;
      }
      const r = await restore(this.restoreDeps(), tps, () => this.state === state);
      if (r === undefined) return;
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

  /** A run's shards or a commit failed: restore every shard from the last checkpoint. */
  private restart(run: Run, err: unknown): void {
    const s = consuming(this.state);
    if (s === undefined || s.run !== run) return;
    this.log.error({ err }, 'pipeline failed; restoring from the last checkpoint');
    void this.assigned(s.assignment).catch((e: unknown) => this.d.onFatal(asError(e)));
  }

  // ---- input ------------------------------------------------------------------------------

  private async batch(b: InputBatch): Promise<void> {
    const arrived = this.state;
    if (arrived.status === 'restoring') {
      // Fetched before the restore seeks every partition: the consumer reads it again from there.
      await arrived.restored;
      return;
    }
    const run = consuming(arrived)?.run;
    const stream = run?.table.of(b);
    if (run === undefined || stream === undefined) return;
    if (b.highWatermark > stream.highWatermark) stream.highWatermark = b.highWatermark;
    const resolver = this.d.resolver;
    if (resolver !== null && stream.format === 'confluent') {
      // Writer schemas first: a record may only reach a shard once its schema id is known there.
      const missing = resolver.missing(schemaIdsOf(b.messages));
      if (missing.length > 0) {
        const specs = await resolver.resolve(missing);
        this.schemas.push(...specs);
        runOf(this.state)?.rounds.addSchemas(specs);
      }
    }
    const s = consuming(this.state);
    if (s === undefined || s.run !== run) return;
    const hold = s.status === 'recovering' ? s.hold : undefined;
    const taken = intake(stream.next, b.messages, hold?.holdFrom(stream.index) ?? Infinity);
    if (taken.next === stream.next) return;
    stream.next = taken.next;
    stream.lastData = this.now();
    for (const m of taken.pending) stream.pending.push(m);
    if (hold !== undefined) {
      hold.hold(stream.index, taken.held);
      if (hold.advance(stream.index, stream.next) === 'reached') run.table.pause(stream, 'recovery');
    }
    if (run.table.pending() >= this.d.config.roundMaxValues) await run.dispatcher.dispatch();
    else run.dispatcher.schedule();
    const after = this.state;
    if (after.status === 'recovering' && after.run === run && after.hold.done) await this.finishRecovery(after);
  }

  private async finishRecovery(s: Extract<ServiceState, { status: 'recovering' }>): Promise<void> {
    const { run, hold } = s;
    if (hold.finishing) return;
    hold.finishing = true;
    try {
      await run.dispatcher.dispatch();
      await run.rounds.barrier();
    } catch (err) {
      this.restart(run, err);
      return;
    }
    if (this.state !== s) return;
    // Everything so far came from records before the committed offsets: the run that read
    // them committed these outputs already. Only now may commits run again.
    const out = run.rounds.take().output;
    const suppressed = countRecovered(this.counters, out);
    const released = hold.release();
    for (const st of run.table.streams) {
      st.committable = st.dispatched;
      for (const m of released[st.index] ?? []) st.pending.push(m);
      run.table.resume(st, 'recovery');
    }
    this.enter({ status: 'live', assignment: s.assignment, run });
    this.alertLatency.reset();
    this.log.info({ replayed: out.values, suppressed }, 'recovered: caught up with the committed offsets; live');
    run.dispatcher.schedule();
  }

  // ---- idle input, commits, shard reports -------------------------------------------------

  private idleCheck(): void {
    const s = this.state;
    if (s.status !== 'live') return;
    void s.run.idle.check(this.now(), this.lastFetch, () => this.state === s);
  }

  private idleChanged(run: Run, flushedTo: number | undefined): void {
    if (flushedTo !== undefined) {
      // Nothing arrives anywhere: what waits for later events was released (as at the end of
      // a replay). Events older than this that arrive later are late.
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
    countCommitted(this.counters, this.deadLettersByCode, c);
    this.alertLatency.committed(c.output.alerts, this.now());
    for (const e of c.output.ruleErrors.slice(0, 5)) this.log.warn({ rule: e.ruleId, key: e.key, event: e.eventId, error: e.error }, 'rule error (the rule skipped this event; other rules ran)');
  }

  private delivered(r: DeliverResult, submittedAt: number): void {
    this.d.latency.recordBatch(r.micros);
    if (r.alerts.length === 0) return;
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
      highWatermarks: async (run) => {
        const hws = await d.admin.highWatermarks(run.table.streams.map((s) => s.tp));
        const out = new Map<number, number>();
        for (const s of run.table.streams) {
          const hw = hws.get(tpKey(s.tp.topic, s.tp.partition));
          if (hw !== undefined) out.set(s.index, Number(hw));
        }
        return out;
      },
      failed: (run, err) => this.restart(run, err),
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
    this.enter({ status: 'stopped' });
  }
}
