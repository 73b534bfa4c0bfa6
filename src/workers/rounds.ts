// Drives the shards in rounds. A round is what arrived from the input since the last one:
//
//   ingest   each stream's values go to its home shard (stream % shards), which decodes
//            them, decides lateness per stream and routes events to the owners of their keys
//   deliver  every shard gets what was routed to it and the new watermark W = min over
//            active streams of (max event time - outOfOrderness), monotone (round-clock.ts)
//
//   shard 0: ingest r ─┐            ┌─ deliver r ─ ...      each shard runs its tasks in
//   shard 1: ingest r ─┼─ W_r, fwd ─┼─ deliver r ─ ...      submission order; deliver r is
//   shard 2: (none)   ─┘            └─ deliver r ─ ...      sent once ingest r is back
//
//   one shard:  round r (ingest, W_r, deliver) ─ round r+1 ─ ...   nothing can be forwarded,
//               so a round is one task: one thread round trip instead of two
//
// Both paths run the same shard code in the same order, so they give the same outputs. A
// round carrying an operator's watermark reset (stream-reset.ts) waits until every earlier
// round is delivered, so no shard has a later task queued when it lowers its clocks.
// Up to `maxInFlight` rounds are outstanding; submit() waits beyond that (backpressure the
// caller passes on to its source). Rounds complete in order (each shard runs its tasks in
// order), so the done rounds are always a prefix: take() returns the outputs of that prefix
// with the caller's tag of its last round, and a commit never has to drain the pipeline. A
// checkpoint is a cut after the last submitted round (cut()). Any shard failure fails the
// driver: every later call throws it, and the caller restarts from a checkpoint.
import { CepError } from '../core/errors.ts';
import { shardOf } from '../core/order.ts';
import type { ContextView, KeyStateView, RecentIssues } from '../core/state-view.ts';
import type { StreamWatermarks } from '../core/watermarks.ts';
import { mergeRecent } from '../explain/recent.ts';
import type {
  ContextResult, DeliverResult, Forward, InfoResult, IngestPart, IngestResult, InitTask, RoundResult, RoundTask, RuleChangeSpec, SchemaSpec, ShardResult, ShardTask, SnapshotResult, StateResult,
} from './protocol.ts';
import { packRecords } from './record-pack.ts';
import { RoundClock } from './round-clock.ts';
import { emptyOutput, mergeOutput } from './round-output.ts';
import type { Cut, RoundsOutput, Taken } from './round-output.ts';
import { askChange, failChanges, hasControl, noControl, sendChanges } from './round-control.ts';
import type { Control, PendingRuleChange } from './round-control.ts';
import { applyReset, resetTask } from './stream-reset.ts';
import type { PendingReset, ResetOutcome } from './stream-reset.ts';
import type { StreamValues } from './rounds-of.ts';
import type { ShardBackend } from './shard-pool.ts';

export type { Cut, RoundsOutput, Taken } from './round-output.ts';
export type { StreamValues } from './rounds-of.ts';

export interface RoundsOptions {
  readonly backend: ShardBackend;
  readonly init: Omit<InitTask, 'op' | 'shard' | 'shards' | 'watermark'>;
  readonly maxInFlight?: number;
  /** The watermark the restored shards were at (from the checkpoint). */
  readonly watermark?: number;
  /**
   * One task per round (ingest and deliver together): possible with one shard only, and the
   * default there. False forces the two phases (to compare the paths).
   */
  readonly singleTask?: boolean;
  /** Called with each shard's deliver result as it arrives (latency, metrics). */
  readonly onDeliver?: (r: DeliverResult, submittedAt: number) => void;
  /** Called with each ingest result (batch latency, metrics). */
  readonly onIngest?: (r: IngestResult) => void;
}

interface Round<T> {
  readonly id: number;
  readonly tag: T | undefined;
  readonly out: RoundsOutput;
  done: boolean;
  readonly completed: Promise<void>;
  readonly complete: () => void;
}

export class Rounds<T = unknown> {
  readonly shards: number;
  /** Per-stream max event times as home shards report them, and which streams are active. */
  readonly clock: StreamWatermarks;
  private readonly time: RoundClock;
  private readonly backend: ShardBackend;
  private readonly maxInFlight: number;
  private readonly singleTask: boolean;
  private readonly onDeliver: RoundsOptions['onDeliver'];
  private readonly onIngest: RoundsOptions['onIngest'];
  private readonly tails: Promise<unknown>[];
  private readonly unsent: SchemaSpec[][];
  /** Resolves once the last submitted round's tasks are all queued and its watermark is set. */
  private ordered: Promise<void> = Promise.resolve();
  private readonly waiters: (() => void)[] = [];
  private control: Control = noControl();
  /** Resets asked for and not yet applied (failed with the driver, or when it closes). */
  private readonly unsettled = new Set<PendingReset>();
  /** Rule changes asked for and not yet sent. */
  private readonly unsentChanges = new Set<PendingRuleChange>();
  /** Submitted rounds not yet taken, in order. */
  private readonly rounds: Round<T>[] = [];
  private seq = 0;
  private outstanding = 0;
  private failure: unknown;
  private w = -Infinity;

  private constructor(o: RoundsOptions) {
    this.backend = o.backend;
    this.shards = o.backend.shards;
    this.singleTask = o.singleTask ?? this.shards === 1;
    if (this.singleTask && this.shards !== 1) throw new CepError('CEP_ERR_SHARD', `one task per round needs one shard, not ${this.shards}`);
    this.maxInFlight = Math.max(1, o.maxInFlight ?? 4);
    this.onDeliver = o.onDeliver;
    this.onIngest = o.onIngest;
    this.tails = Array.from({ length: this.shards }, () => Promise.resolve());
    this.unsent = Array.from({ length: this.shards }, () => []);
    this.time = new RoundClock(o.init);
    this.clock = this.time;
  }

  /** Starts the shards (restoring `init.restore` when given) and returns the driver. */
  static async start<T = unknown>(o: RoundsOptions): Promise<Rounds<T>> {
    const r = new Rounds<T>(o);
    const watermark = o.watermark ?? -Infinity;
    await Promise.all(Array.from({ length: r.shards }, (_, shard) => r.enqueue(shard, { op: 'init', shard, shards: r.shards, ...o.init, watermark })));
    r.w = watermark;
    return r;
  }

  /** The watermark sent with the last round. */
  get watermark(): number {
    return this.w;
  }

  /** Rounds submitted and not yet delivered everywhere. */
  get inFlight(): number {
    return this.outstanding;
  }

  get failed(): unknown {
    return this.failure;
  }

  /** New writer schemas, sent to every shard with its next task. */
  addSchemas(schemas: readonly SchemaSpec[]): void {
    for (const q of this.unsent) q.push(...schemas);
  }

  /**
   * A rule change for every shard, sent with the next round, which goes alone (every earlier one
   * delivered): its boundary is the watermark every shard is at (null before any), which no shard
   * has passed. Resolves with it and the round's id; the round's output carries the change.
   */
  changeRules(change: PendingRuleChange['change']): Promise<{ at: number | null; round: number }> {
    this.check();
    return askChange(this.control.changes, this.unsentChanges, change);
  }

  /**
   * Lowers a stream's watermark to `to` (and W when ahead of it) at the next round boundary,
   * on every shard alike; resolves with the stream's time before and after, once applied.
   */
  resetStream(stream: number, to: number): Promise<ResetOutcome> {
    return new Promise<ResetOutcome>((settle, fail) => {
      this.check();
      const r = { stream, to, settle, fail };
      this.control.resets.push(r);
      this.unsettled.add(r);
    });
  }

  /** Releases everything up to the largest event time seen, at the next round (idle input). */
  requestFlush(): void {
    this.control.flush = true;
  }

  /** Sends the watermark again at the next round, even with no records (a stream went idle). */
  requestAdvance(): void {
    this.control.advance = true;
  }

  /** Id of the last round submitted (0: none). */
  get lastSubmitted(): number {
    return this.seq;
  }

  /**
   * Sends one round, tagged for take(). Resolves once it is dispatched (waiting first while
   * `maxInFlight` rounds are outstanding), not when it is done: see barrier().
   */
  async submit(parts: readonly StreamValues[], tag?: T): Promise<void> {
    this.check();
    while (this.outstanding >= (this.control.resets.length > 0 || this.control.changes.length > 0 ? 1 : this.maxInFlight)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.check();
    }
    const byHome = new Map<number, IngestPart[]>();
    for (const p of parts) {
      if (p.values.length === 0) continue;
      if (p.offsets.length !== p.values.length) throw new CepError('CEP_ERR_ROUNDS', `stream ${p.stream}: ${p.values.length} values but ${p.offsets.length} offsets (one offset per value)`);
      const home = p.stream % this.shards;
      const list = byHome.get(home) ?? [];
      list.push({ stream: p.stream, ...packRecords(p.values, p.offsets, p.keys, p.timestamps) });
      byHome.set(home, list);
    }
    const control = this.control;
    if (byHome.size === 0 && !hasControl(control)) return;
    this.control = noControl();
    // A flush asked for before a reset would undo it: the reset wins (idle input asks again).
    if (control.resets.length > 0) control.flush = false;
    this.outstanding++;
    let complete!: () => void;
    const completed = new Promise<void>((resolve) => {
      complete = resolve;
    });
    const round: Round<T> = { id: ++this.seq, tag, out: emptyOutput(), done: false, completed, complete };
    this.rounds.push(round);
    const changes = sendChanges(control.changes, this.w, round.id, this.unsentChanges);
    if (changes.length > 0) round.out.ruleChanges = changes;
    const submittedAt = performance.now();
    if (this.singleTask) this.oneTask(round, byHome.get(0) ?? [], control, changes, submittedAt);
    else this.twoPhases(round, byHome, control, changes, submittedAt);
  }

  /** Waits until every submitted round is delivered everywhere. */
  async barrier(): Promise<void> {
    await this.ordered;
    await Promise.all(this.rounds.map((r) => r.completed));
    this.check();
  }

  /** Resolves once round `id` (and so every round before it) is done. */
  async completedThrough(id: number): Promise<void> {
    const r = this.rounds.find((x) => x.id === id);
    if (r !== undefined) await r.completed;
    this.check();
  }

  /**
   * The outputs of the done rounds, oldest first, up to round `through` (default: every done
   * round); they are removed from the driver.
   */
  take(through: number = Infinity): Taken<T> {
    const output = emptyOutput();
    const tags: T[] = [];
    let last = 0;
    while (this.rounds.length > 0) {
      const r = this.rounds[0] as Round<T>;
      if (!r.done || r.id > through) break;
      this.rounds.shift();
      mergeOutput(output, r.out);
      if (r.tag !== undefined) tags.push(r.tag);
      last = r.id;
    }
    return { output, tags, through: last };
  }

  /**
   * A checkpoint cut after the last submitted round. The caller must not submit until this
   * resolves (the snapshot tasks queue behind that round's deliveries, before anything
   * later); the snapshots themselves complete afterwards, while new rounds run.
   */
  async cut(): Promise<Cut> {
    for (let seen = -1; seen !== this.seq;) {
      seen = this.seq;
      await this.ordered;
    }
    this.check();
    const through = this.seq;
    const n = this.clock.streams;
    const maxTs = Array.from({ length: n }, (_, i) => this.clock.maxTsOf(i));
    const active = Array.from({ length: n }, (_, i) => this.clock.isActive(i));
    const tasks = Array.from({ length: this.shards }, (_, s) => this.enqueue(s, { op: 'snapshot' }) as Promise<SnapshotResult>);
    const snapshots = Promise.all(tasks).then((rs) => rs.map((r) => r.bytes));
    snapshots.catch((err: unknown) => this.fail(err));
    return { through, snapshots, maxTs, active, watermark: this.w };
  }

  /**
   * A key's state for a rule: the owning shard's view (shardOf, as every key space routes)
   * with the recent late and overflow events every shard saw for the key. Answered after
   * the rounds submitted before it (once their deliveries are queued). Null when no rule has the id.
   */
  async state(ruleId: string, key: string): Promise<{ view: KeyStateView; recent: RecentIssues } | null> {
    await this.ordered;
    const all = await Promise.all(Array.from({ length: this.shards }, (_, s) => this.enqueue(s, { op: 'state', ruleId, key }) as Promise<StateResult>));
    const view = all[shardOf(key, this.shards)]?.view ?? null;
    return view === null ? null : { view, recent: mergeRecent(all.map((r) => r.recent)) };
  }

  /** A context of a key, from its owning shard; null when no rule uses a context with the id. */
  async context(key: string, contextId: string): Promise<ContextView | null> {
    await this.ordered;
    const r = await (this.enqueue(shardOf(key, this.shards), { op: 'context', key, contextId }) as Promise<ContextResult>);
    return r.view;
  }

  /** Rules and engine counters of every shard. */
  async info(): Promise<InfoResult[]> {
    return Promise.all(Array.from({ length: this.shards }, (_, s) => this.enqueue(s, { op: 'info' }) as Promise<InfoResult>));
  }

  async close(): Promise<void> {
    for (const r of this.unsettled) r.fail(new CepError('CEP_ERR_STATE_UNAVAILABLE', 'the shards stopped (a restore or a stop) before the reset was applied; ask again'));
    this.unsettled.clear();
    failChanges(this.unsentChanges, new CepError('CEP_ERR_STATE_UNAVAILABLE', 'the shards stopped (a restore or a stop) before the rule change was sent; nothing changed: ask again'));
    await this.backend.close();
  }

  /** One shard: ingest and deliver in one task; the shard sends back the watermark it used. */
  private oneTask(round: Round<T>, parts: IngestPart[], control: Control, changes: readonly RuleChangeSpec[], submittedAt: number): void {
    const task: RoundTask = {
      op: 'round', schemas: this.takeSchemas(0), parts, activity: this.time.takeActivity(), flush: control.flush, changes,
      resets: control.resets.map((r) => resetTask(this.time, r)),
    };
    const result = this.enqueue(0, task) as Promise<RoundResult>;
    const prev = this.ordered;
    this.ordered = (async () => {
      const r = await result;
      await prev;
      this.applyResets(control.resets);
      this.onIngest?.(r.ingest);
      this.time.observeIngest(r.ingest.maxTs);
      this.w = r.watermark;
      this.onDeliver?.(r.deliver, submittedAt);
      mergeOutput(round.out, r.ingest);
      mergeOutput(round.out, r.deliver);
    })().catch((err: unknown) => this.fail(err)).finally(() => this.finish(round));
  }

  /** Ingest at the home shards; once all are back, deliver to every shard with W_r. */
  private twoPhases(round: Round<T>, byHome: ReadonlyMap<number, IngestPart[]>, control: Control, changes: readonly RuleChangeSpec[], submittedAt: number): void {
    const resets = control.resets.map((r) => resetTask(this.time, r));
    const ingests = [...byHome].map(([shard, parts]) => this.enqueue(shard, { op: 'ingest', schemas: this.takeSchemas(shard), parts, resets }) as Promise<IngestResult>);
    const prev = this.ordered;
    this.ordered = (async () => {
      const results = await Promise.all(ingests);
      await prev;
      this.applyResets(control.resets);
      const forwards = new Map<number, Forward[]>();
      for (const r of results) {
        this.onIngest?.(r);
        this.time.observeIngest(r.maxTs);
        mergeOutput(round.out, r);
        for (const f of r.forwards) {
          const list = forwards.get(f.to) ?? [];
          list.push(f);
          forwards.set(f.to, list);
        }
      }
      const { watermark, flushTo } = this.time.roundWatermark(this.w, control.flush);
      this.w = watermark;
      const deliveries = Array.from({ length: this.shards }, (_, shard) => this.enqueue(shard, {
        op: 'deliver', schemas: this.takeSchemas(shard), forwards: forwards.get(shard) ?? [], watermark, flushTo, changes, resets,
      }) as Promise<DeliverResult>);
      void Promise.all(deliveries).then((rs) => {
        for (const r of rs) {
          this.onDeliver?.(r, submittedAt);
          mergeOutput(round.out, r);
        }
      }).catch((err: unknown) => this.fail(err)).finally(() => this.finish(round));
    })().catch((err: unknown) => {
      this.fail(err);
      this.finish(round);
    });
  }

  /** Marks a round done (its outputs complete, or the driver failed) and lets a waiting submit in. */
  private finish(round: Round<T>): void {
    round.done = true;
    this.outstanding--;
    round.complete();
    this.waiters.shift()?.();
  }

  private check(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** A reset round's boundary on the driver's clock: before this round's ingest is observed, as the shards did. */
  private applyResets(resets: readonly PendingReset[]): void {
    for (const r of resets) {
      const { global, outcome } = applyReset(this.time, r, this.w);
      this.w = global;
      this.unsettled.delete(r);
      r.settle(outcome);
    }
  }

  private fail(err: unknown): void {
    this.failure ??= err instanceof Error ? err : new Error(String(err));
    for (const w of this.waiters.splice(0)) w();
    for (const r of this.unsettled) r.fail(this.failure);
    this.unsettled.clear();
    failChanges(this.unsentChanges, this.failure);
  }

  private takeSchemas(shard: number): SchemaSpec[] {
    const q = this.unsent[shard] as SchemaSpec[];
    return q.splice(0);
  }

  private enqueue(shard: number, task: ShardTask): Promise<ShardResult> {
    const run = (this.tails[shard] as Promise<unknown>).then(() => this.backend.run(shard, task));
    this.tails[shard] = run.catch(() => undefined);
    return run;
  }
}
