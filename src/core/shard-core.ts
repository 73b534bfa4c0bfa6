// One shard of a sharded engine, pure. Shards own keys (shardOf(key, shards), in every key
// space) and are "home" for some input streams (Kafka partitions):
//
//   home shard of stream s:  event ─► future? ─► late for s? ─► owners of its keys ─► own: accept
//                                      │            │                              └► others: forward
//                                      │            └► late (reported by the caller with its offset)
//                                      └► quarantined (time-guard.ts): touches no watermark
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
import type { Alert } from './alert.ts';
import type { Effect } from './effects.ts';
import { KEY_GROUPS } from './order.ts';
import { createEngine } from './engine/index.ts';
import type { Engine, EngineOptions, EngineSnapshot, RuleInfo } from './engine/index.ts';
import { shardOf } from './order.ts';
import type { AnyRule } from './rule-types.ts';
import { StreamWatermarks } from './watermarks.ts';
import { CepError } from './errors.ts';
import { boundaryOf } from './rule-change.ts';
import type { RuleChange } from './rule-change.ts';
import { aheadOfRecord } from './time-guard.ts';
import { promotedSnapshots } from './shadow.ts';

/** A shadow's state in a shard snapshot: the candidate's engine, and the change that started it. */
export interface ShadowSnapshot {
  readonly ruleId: string;
  readonly seq: number;
  readonly snapshot: EngineSnapshot;
}

/** A shard's snapshot: the engine's, how many rule changes (control log seq) it had applied, its shadows'. */
export interface ShardSnapshot extends EngineSnapshot {
  readonly ruleChangesApplied?: number;
  readonly shadows?: readonly ShadowSnapshot[];
}

/** A candidate in force when a snapshot was taken: the change that started it and its rule. */
export interface ShadowStart {
  readonly seq: number;
  readonly rule: AnyRule;
}

/**
 * A candidate version of a rule in shadow (rule-change.ts): its own engine, fed every event the
 * live engine accepts from its boundary on, moved in time with it; its alerts are kept apart.
 */
interface Shadow {
  readonly ruleId: string;
  readonly seq: number;
  readonly rule: AnyRule;
  readonly engine: Engine;
}

const NO_ALERTS: readonly Alert[] = Object.freeze([]);

/** route(): the event is late for its stream. */
export const LATE = -1;
/** route(): the event is too far ahead of its record's Kafka timestamp (quarantined). */
export const FUTURE = -2;

export class ShardCore {
  readonly shard: number;
  readonly shards: number;
  /** Replaced when a deploy applies (rule-change.ts); read it anew each time. */
  engine: Engine;
  /** Per-stream watermarks of the streams this shard is home for. */
  readonly streams: StreamWatermarks;
  /** Quarantine bound: event time past the record's Kafka timestamp (Infinity: no guard). */
  readonly maxFutureSkewMs: number;
  private readonly scratch = new Int32Array(64);
  /**
   * Set by route(): this shard owns a key of the event and found it behind the engine's
   * watermark (possible after an idle flush, or with allowed lateness): it is reported late.
   */
  lateHere = false;
  /** Seq of the last rule change applied (0: none). */
  applied = 0;
  /** Changes scheduled and not applied yet, in seq order, and an engine per pending deploy for routing. */
  private pending: { change: RuleChange; router: Engine | undefined }[] = [];
  private readonly options: Partial<EngineOptions>;
  private readonly scratch2 = new Int32Array(64);
  /** Effects of engines replaced by a deploy, not drained yet. */
  private carried: Effect[] = [];
  /** Candidates in shadow, in the order they started (none: the hot path checks one length). */
  private shadows: Shadow[] = [];
  /** Alerts of shadows promoted or discarded, not drained yet. */
  private shadowCarried: Alert[] = [];

  /**
   * `pending`: rule changes after the snapshot's (`applied` of them were applied when it was
   * taken); their rules route events already, so a restore keeps what they will own.
   */
  constructor(rules: readonly AnyRule[], options: Partial<Omit<EngineOptions, 'owns'>>, shard: number, shards: number, from?: readonly ShardSnapshot[], maxFutureSkewMs = Infinity,
    pending: readonly RuleChange[] = [], applied = 0, shadows: readonly ShadowStart[] = []) {
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
    this.options = { ...options, owns };
    this.applied = applied;
    for (const c of pending) this.queue(c);
    this.engine = createEngine(rules, { ...this.options, keepBuffered: this.keepForPending() }, from === undefined || from.length === 0 ? undefined : from);
    for (const st of shadows) {
      const snaps = (from ?? []).flatMap((f) => (f.shadows ?? []).filter((x) => x.seq === st.seq).map((x) => x.snapshot));
      const engine = createEngine([st.rule], this.shadowOptions(), snaps.length === 0 ? undefined : snaps);
      engine.advanceWatermark(this.engine.watermark);
      this.shadows.push({ ruleId: st.rule.id, seq: st.seq, rule: st.rule, engine });
    }
    this.streams = new StreamWatermarks(this.engine.options.outOfOrdernessMs, this.engine.options.allowedLatenessMs);
    this.maxFutureSkewMs = maxFutureSkewMs;
  }

  /**
   * Home side: an event read from `stream`, in a record with Kafka timestamp `recordTs` (NaN:
   * none). Returns FUTURE when it is quarantined (before it touches any watermark), LATE when
   * it is late for its stream; otherwise the number of other shards it must be forwarded to,
   * written into `out`. When this shard owns one of its keys it is accepted here.
   */
  route(stream: number, e: AnyEvent, source: SourceRef | null, out: Int32Array, recordTs = NaN): number {
    this.lateHere = false;
    if (aheadOfRecord(e.ts, recordTs, this.maxFutureSkewMs)) return FUTURE;
    if (!this.streams.observe(stream, e.ts)) return LATE;
    let n = this.engine.ownersOf(e, this.shards, this.scratch);
    // Events at or after a pending change's boundary reach the owners under its rules too.
    for (const p of this.pending) if (p.router !== undefined) n = this.union(n, p.router.ownersOf(e, this.shards, this.scratch2));
    // ...and to the owners under the candidates' rules.
    if (this.shadows.length !== 0) for (const sh of this.shadows) n = this.union(n, sh.engine.ownersOf(e, this.shards, this.scratch2));
    let others = 0;
    for (let i = 0; i < n; i++) {
      const owner = this.scratch[i] as number;
      if (owner === this.shard) this.lateHere = !this.deliver(e, source);
      else out[others++] = owner;
    }
    return others;
  }

  /** Owner side: an event another shard routed here; false when it is behind the watermark (late). */
  deliver(e: AnyEvent, source: SourceRef | null): boolean {
    const ok = this.engine.accept(e, source);
    // Same watermark, same lateness: a shadow's late effects are the live engine's, dropped in drainShadow.
    if (this.shadows.length !== 0) for (const sh of this.shadows) sh.engine.accept(e, source);
    return ok;
  }

  /**
   * An operator's watermark reset, applied at a round boundary on every shard alike: the
   * stream's max event time lowered to `maxTs` (it is active: it holds time back until its
   * next events) and the engine's watermark lowered to `watermark` when ahead of it. What the
   * engine holds stays: buffered events (all at or after the old watermark) wait for time to
   * pass them again, pending timers fire when it does, and what was processed, fired, expired
   * or evicted is not undone. Events at or after the new watermark are on time again; those
   * that arrive now are processed after what was already processed (as allowed lateness is).
   */
  resetStream(stream: number, maxTs: number, watermark: number): void {
    this.streams.reset(stream, maxTs);
    if (watermark < this.engine.watermark) this.engine.watermark = watermark;
  }

  advance(watermark: number): void {
    this.applyDue(watermark);
    this.engine.advanceWatermark(watermark);
    if (this.shadows.length !== 0) for (const sh of this.shadows) sh.engine.advanceWatermark(watermark);
  }

  /** End of input / idle: changes due by `to` apply first, then everything up to `to` is released (Engine.flush). */
  flush(to: number): void {
    this.applyDue(to);
    this.engine.flush(to);
    if (this.shadows.length !== 0) for (const sh of this.shadows) sh.engine.flush(to);
  }

  /**
   * Schedules a rule change (once: a seq already applied or pending is ignored). It applies
   * when the watermark reaches its boundary; one due already applies at the next advance.
   */
  schedule(c: RuleChange): void {
    this.queue(c);
  }

  /** Seqs of the changes scheduled and not yet applied. */
  get pendingChanges(): number[] {
    return this.pending.map((p) => p.change.seq);
  }

  snapshot(): ShardSnapshot {
    const snap = { ...this.engine.snapshot(), ruleChangesApplied: this.applied };
    if (this.shadows.length === 0) return snap;
    return { ...snap, shadows: this.shadows.map((sh) => ({ ruleId: sh.ruleId, seq: sh.seq, snapshot: sh.engine.snapshot() })) };
  }

  /** The candidates in shadow, each as its engine lists it (counters, state keys). */
  shadowRules(): RuleInfo[] {
    return this.shadows.flatMap((sh) => sh.engine.rules());
  }

  /** Alerts of the candidates since the last call (their other effects are the live engine's, or only theirs to count: dropped). */
  drainShadow(): readonly Alert[] {
    if (this.shadows.length === 0 && this.shadowCarried.length === 0) return NO_ALERTS;
    for (const sh of this.shadows) this.carryShadow(sh);
    const out = this.shadowCarried;
    this.shadowCarried = [];
    return out;
  }

  private carryShadow(sh: Shadow): void {
    for (const f of sh.engine.drain()) if (f.kind === 'alert') this.shadowCarried.push(f.alert);
  }

  /** A shadow's engine options: the live ones without the per-rule timer (it counts by the live engine's rule index). */
  private shadowOptions(): Partial<EngineOptions> {
    const { probe: _probe, ...o } = this.options;
    return { ...o, keepBuffered: this.keepForPending() };
  }

  private queue(c: RuleChange): void {
    if (c.seq <= this.applied || this.pending.some((p) => p.change.seq === c.seq)) return;
    const router = c.kind === 'deploy' ? createEngine(c.rules, this.options) : c.kind === 'shadow' ? createEngine([c.rule], this.shadowOptions()) : undefined;
    this.pending.push({ change: c, router });
    this.pending.sort((a, b) => a.change.seq - b.change.seq);
  }

  /**
   * Applies the changes whose boundary is at or before `limit`, in seq order: first the engine
   * processes everything before the boundary (its watermark moves to it), then the change.
   * A deploy rebuilds the engine from its own snapshot with the new rules: rules with the same
   * id and version keep their state, changed ones start empty, removed ones are freed.
   */
  private applyDue(limit: number): void {
    for (;;) {
      const next = this.pending[0];
      if (next === undefined || boundaryOf(next.change) > limit) return;
      const at = boundaryOf(next.change);
      if (at !== -Infinity) {
        this.engine.advanceWatermark(at);
        for (const sh of this.shadows) sh.engine.advanceWatermark(at);
      }
      this.pending.shift();
      const c = next.change;
      switch (c.kind) {
        case 'shadow': {
          // A new candidate of a rule replaces its earlier one. It starts empty at the boundary
          // with the events the live engine holds at or after it.
          this.endShadow(c.rule.id);
          const engine = createEngine([c.rule], this.shadowOptions());
          engine.advanceWatermark(this.engine.watermark);
          for (const b of this.engine.buffered()) engine.accept(b.event, b.source);
          this.shadows.push({ ruleId: c.rule.id, seq: c.seq, rule: c.rule, engine });
          break;
        }
        case 'promote': {
          const sh = this.endShadow(c.ruleId);
          if (sh === undefined) break;
          for (const f of this.engine.drain()) this.carried.push(f);
          const live = this.engine.compiled.map((cr) => cr.rule);
          const rules = live.some((r) => r.id === c.ruleId) ? live.map((r) => (r.id === c.ruleId ? sh.rule : r)) : [...live, sh.rule];
          this.engine = createEngine(rules, { ...this.options, keepBuffered: this.keepForPending() }, promotedSnapshots(this.engine.snapshot(), sh.engine.snapshot(), c.ruleId));
          break;
        }
        case 'discard':
          this.endShadow(c.ruleId);
          break;
        case 'deploy':
          // Effects of the old engine not drained yet go out first, in order.
          for (const f of this.engine.drain()) this.carried.push(f);
          this.engine = createEngine(c.rules, { ...this.options, keepBuffered: this.keepForPending() }, this.engine.snapshot());
          break;
        case 'switch':
          this.engine.setEnabled(c.ruleId, c.enabled);
          break;
        default: {
          const never: never = c;
          throw new Error(`unknown rule change ${JSON.stringify(never)}`);
        }
      }
      this.applied = c.seq;
    }
  }

  /** Stops the shadow of `ruleId` (its alerts so far kept for drainShadow); returns it. */
  private endShadow(ruleId: string): Shadow | undefined {
    const sh = this.shadows.find((x) => x.ruleId === ruleId);
    if (sh === undefined) return undefined;
    this.carryShadow(sh);
    this.shadows = this.shadows.filter((x) => x !== sh);
    return sh;
  }

  /** Buffered events a pending deploy's rules give this shard (undefined: none pending). */
  private keepForPending(): ((e: AnyEvent) => boolean) | undefined {
    const routers = this.pending.flatMap((p) => (p.router === undefined ? [] : [p.router]));
    if (routers.length === 0) return undefined;
    return (e) => routers.some((r) => {
      const n = r.ownersOf(e, this.shards, this.scratch2);
      for (let i = 0; i < n; i++) if (this.scratch2[i] === this.shard) return true;
      return false;
    });
  }

  /** Adds the `m` owners in scratch2 to the `n` in scratch, once each; returns the new count. */
  private union(n: number, m: number): number {
    for (let i = 0; i < m; i++) {
      const o = this.scratch2[i] as number;
      let dup = false;
      for (let k = 0; k < n; k++) if (this.scratch[k] === o) dup = true;
      if (!dup) this.scratch[n++] = o;
    }
    return n;
  }

  /**
   * The effects the shard protocol carries: evictions are left out (they are counted in
   * engine.stats().spaces, which the service reads); engine.drain() has them all.
   */
  drain(): Exclude<Effect, { kind: 'evicted' }>[] {
    let all = this.engine.drain();
    if (this.carried.length > 0) {
      all = [...this.carried, ...all];
      this.carried = [];
    }
    let evicted = 0;
    for (let i = 0; i < all.length; i++) if ((all[i] as Effect).kind === 'evicted') evicted++;
    if (evicted === 0) return all as Exclude<Effect, { kind: 'evicted' }>[];
    return all.filter((f): f is Exclude<Effect, { kind: 'evicted' }> => f.kind !== 'evicted');
  }
}
