// The engine: rules x keys x event time. Pure: no I/O, no clock; time comes with events and
// watermark calls, and every outcome is returned as an Effect.
//
//   push(e) ──► late? ──► reorder heap (ts, rank) ──► release while ts < watermark
//   accept(e) ─────────┘                                 │   merged with timers (at < wm)
//                                                          ▼
//                 per key space: key(e) ─► KeyState ─► each rule reading e.kind ─► operator
//                                                    └► fold contexts (after the rules)
//
// One input stream (push): watermark = max event time seen - outOfOrderness. Several streams
// (the service: one per Kafka partition): the caller decides lateness per stream
// (watermarks.ts), hands on-time events to accept() and moves time with advanceWatermark().
// An event older than the watermark by at most allowedLateness is processed at once (after
// what was already released); older ones become `late` effects. Events with equal time are
// processed in rank order (a hash of the id, order.ts), never arrival order, so the result
// does not depend on how inputs interleave. Timers (absence deadlines, window ends) fire once
// the watermark is past them, before any later event. Same input, same effects, whatever the
// batching, the number of streams or shards, or where a snapshot was taken.
import type { AnyEvent, EventTimeMs, SourceRef } from '../../events/types.ts';
import { alertId } from '../alert.ts';
import type { Alert } from '../alert.ts';
import type { Effect } from '../effects.ts';
import { KeyedHeap } from '../heap.ts';
import { eventRank, shardOf } from '../order.ts';
import { toJson } from '../json.ts';
import type { JsonValue } from '../json.ts';
import type { AnyRule, ContextDef } from '../rule-types.ts';
import { Ingested, RuleKeyState, Timer, setRuleState } from '../runtime.ts';
import type { CompiledRule, Match, OperatorHost } from '../runtime.ts';
import type { ContextView, KeyStateView } from '../state-view.ts';
import { validateRules } from '../validate.ts';
import { compile } from './compile.ts';
import type { Compiled, Fold, Route, Routes, Space } from './compile.ts';
import { contextOf, inspectKey, noteLate, ruleInfos } from './inspect.ts';
import type { EngineStats, RuleInfo } from './inspect.ts';
import { evict, idle, openKey, spaceStats, sweep, touch } from './keys.ts';
import { engineOptions } from './options.ts';
import type { EngineOptions } from './options.ts';
import type { RuleProbe } from './probe.ts';
import { restore, snapshotOf } from './snapshot.ts';
import type { EngineSnapshot } from './snapshot.ts';

export class Engine implements OperatorHost {
  readonly options: EngineOptions;
  readonly compiled: readonly CompiledRule[];
  private readonly c: Compiled;
  private readonly routes: Routes;
  private readonly ttl: number;
  private readonly lateness: number;
  private readonly owns: ((keySpace: string, key: string) => boolean) | undefined;
  /** The rule an explain observer hears (see explain/), undefined on the normal path. */
  private readonly observed: CompiledRule | undefined;
  private readonly probe: RuleProbe | undefined;
  private untilProbe = 1;
  /** Reorder buffer by (event time, rank). */
  private readonly buffer = new KeyedHeap<Ingested>();
  /** Timers by (deadline, scheduling order). */
  private readonly timers = new KeyedHeap<Timer>();
  private out: Effect[] = [];
  private timerSeq = 0;
  private maxTs = -Infinity;
  private nextSweep = -Infinity;
  private sinceSweep = 0;
  private eventCount = 0;
  private lateCount = 0;
  private lateAcceptedCount = 0;
  watermark = -Infinity;

  constructor(rules: readonly AnyRule[], options: Partial<EngineOptions> = {}, from?: EngineSnapshot | readonly EngineSnapshot[]) {
    validateRules(rules);
    this.options = engineOptions(options);
    this.ttl = this.options.idleKeyTtlMs;
    this.lateness = this.options.allowedLatenessMs;
    this.owns = this.options.owns;
    this.c = compile(rules, this.options, this.options.explain);
    this.routes = this.c.routes;
    this.compiled = this.c.rules;
    this.observed = this.compiled.find((cr) => cr.observer !== undefined);
    this.probe = this.options.probe;
    if (from !== undefined) {
      const r = restore(Array.isArray(from) ? from as readonly EngineSnapshot[] : [from as EngineSnapshot], this.c, this.owns, this.buffer, this.timers, this.options.keepBuffered);
      this.watermark = r.watermark;
      this.maxTs = r.maxTs;
      this.timerSeq = r.timerSeq;
      this.nextSweep = r.nextSweep;
      if (r.counts !== undefined) {
        this.eventCount = r.counts.events;
        this.lateCount = r.counts.late;
        this.lateAcceptedCount = r.counts.lateAccepted;
      }
    }
  }

  /** The whole state as cloneable data (see EngineSnapshot). */
  snapshot(): EngineSnapshot {
    const times = { watermark: this.watermark, maxTs: this.maxTs, timerSeq: this.timerSeq, nextSweep: this.nextSweep };
    return snapshotOf(times, { events: this.eventCount, late: this.lateCount, lateAccepted: this.lateAcceptedCount }, this.buffer.values(), this.c);
  }

  /**
   * Shards owning at least one key of `e` (shardOf(key, shards) over every key space reading
   * its kind), written into `out`; returns how many. A key extractor that throws is skipped
   * here: the owner never sees the event for that space, and the error is reported once.
   */
  ownersOf(e: AnyEvent, shards: number, out: Int32Array): number {
    const routes = this.routes[e.kind];
    if (routes === undefined) return 0;
    const groups = this.options.keyGroups;
    let n = 0;
    for (let r = 0; r < routes.length; r++) {
      const route = routes[r] as Route;
      let key: string | null;
      try {
        key = route.extract(e);
      } catch (err) {
        for (const cr of route.rules) this.ruleError(cr, '', e.id, err);
        continue;
      }
      if (key === null || key === undefined || key === '') continue;
      const owner = shardOf(key, shards, groups);
      let dup = false;
      for (let i = 0; i < n; i++) if (out[i] === owner) dup = true;
      if (!dup) out[n++] = owner;
    }
    return n;
  }

  /**
   * Adds one event of a single input stream: its time moves the watermark (max event time -
   * outOfOrderness). Effects collect until `drain()`.
   */
  push(event: AnyEvent, source: SourceRef | null = null): void {
    if (!this.enqueue(event, source)) return;
    const wm = (event.ts as number) - this.options.outOfOrdernessMs;
    if (wm > this.watermark) this.watermark = wm;
    this.release(false);
  }

  /**
   * Adds an event that its own stream found on time (see watermarks.ts); it waits for
   * advanceWatermark(). Behind the engine's watermark (a stream that was idle, or allowed
   * lateness) it is processed at once within allowedLateness, else reported late (false).
   */
  accept(event: AnyEvent, source: SourceRef | null = null): boolean {
    if (!this.enqueue(event, source)) return false;
    if (event.ts < this.watermark) this.release(false);
    return true;
  }

  private enqueue(event: AnyEvent, source: SourceRef | null): boolean {
    this.eventCount++;
    const ts = event.ts as number;
    if (ts < this.watermark) {
      if (ts < this.watermark - this.options.allowedLatenessMs) {
        this.lateCount++;
        this.out.push({ kind: 'late', event, source, watermark: this.watermark as EventTimeMs });
        if (this.observed !== undefined) noteLate(this.c, this.observed, this.owns, event, this.watermark);
        return false;
      }
      this.lateAcceptedCount++;
    }
    const rank = eventRank(event.id);
    this.buffer.push(ts, new Ingested(event, source, rank), rank);
    if (ts > this.maxTs) this.maxTs = ts;
    return true;
  }

  /** Moves event time forward without an event (idle sources, several streams, ticks). */
  advanceWatermark(to: number): void {
    if (to > this.watermark) {
      this.watermark = to;
      this.release(false);
    }
  }

  /**
   * End of input: releases every buffered event up to `to` (default: the last event time)
   * and fires the timers due before it. Deadlines after the input's end stay pending
   * (nothing says time passed).
   */
  flush(to: number = this.maxTs): void {
    if (to > this.watermark) this.watermark = to;
    this.release(true);
  }

  /** Events accepted and not released yet (ts at or after the watermark), in no particular order. */
  buffered = (): { readonly event: AnyEvent; readonly source: SourceRef | null }[] => this.buffer.values().map((it) => ({ event: it.event, source: it.source }));

  /** Returns the effects produced since the last call and starts a new list. */
  drain(): Effect[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  setEnabled(ruleId: string, enabled: boolean): boolean {
    const cr = this.compiled.find((c) => c.rule.id === ruleId);
    if (cr === undefined) return false;
    cr.enabled = enabled;
    return true;
  }

  rules(): RuleInfo[] {
    return ruleInfos(this.c);
  }

  stats(): EngineStats {
    const spaces = this.c.spaces.map(spaceStats);
    return {
      events: this.eventCount, late: this.lateCount, lateAccepted: this.lateAcceptedCount,
      buffered: this.buffer.size, timers: this.timers.size, watermark: this.watermark, keys: this.keyCount(), spaces,
    };
  }

  /**
   * What the engine holds for one (rule, key), as data: partial matches, windows and their
   * aggregates, candidates, the context, the watermark. Undefined when no rule has this id.
   */
  inspect(ruleId: string, key: string): KeyStateView | undefined {
    const cr = this.compiled.find((r) => r.rule.id === ruleId);
    if (cr === undefined) return undefined;
    return inspectKey(cr, this.c.ruleSpace[cr.index] as Space, key, this.watermark, this.watermark - this.lateness);
  }

  /** A context of a key, as alerts snapshot it (see contextOf); undefined when no rule uses that context id. */
  keyContext(key: string, contextId: string): ContextView | undefined {
    return contextOf(this.c, key, contextId);
  }

  /** Runs a sweep now: prunes dead partial matches, drops empty state, evicts idle keys. */
  compact(): void {
    if (this.watermark !== -Infinity) this.sweep(this.watermark);
  }

  // ---- OperatorHost ----------------------------------------------------------

  alert(rs: RuleKeyState, m: Match): void {
    const r = rs.rule.rule;
    const alert: Alert = {
      id: alertId(r.id, r.version, rs.key, m.matched, m.salt), ruleId: r.id, ruleVersion: r.version, ruleKind: r.kind,
      severity: r.severity, keySpace: r.key.name, key: rs.key,
      firstEventTime: m.firstTs as EventTimeMs, lastEventTime: m.lastTs as EventTimeMs, detectedAtEventTime: m.detectedAt as EventTimeMs,
      message: m.message, matched: m.matched, aggregates: m.aggregates, context: this.contextSnapshot(rs),
    };
    rs.rule.stats.alerts++;
    this.out.push({ kind: 'alert', alert });
    if (rs.rule.observer !== undefined) rs.rule.observer.note({ kind: 'alert', alert });
  }

  overflow(rs: RuleKeyState, dropped: number): void {
    rs.rule.stats.overflowDropped += dropped;
    this.out.push({ kind: 'overflow', ruleId: rs.rule.rule.id, key: rs.key, dropped });
  }

  schedule(rs: RuleKeyState, at: number): void {
    if (rs.timerAt !== -Infinity && rs.timerAt <= at) return;
    rs.timerAt = at;
    rs.timerSeq = this.timerSeq++;
    this.timers.push(at, new Timer(at, rs.timerSeq, rs), rs.timerSeq);
  }

  context(rs: RuleKeyState): unknown {
    return rs.rule.ctxIndex < 0 ? undefined : rs.keyState.ctx[rs.rule.ctxIndex];
  }

  // ---- internals ---------------------------------------------------------------

  private contextSnapshot(rs: RuleKeyState): JsonValue {
    if (rs.rule.ctxIndex < 0) return null;
    const def = (this.c.ruleSpace[rs.rule.index] as Space).contexts[rs.rule.ctxIndex] as ContextDef<unknown>;
    const value = rs.keyState.ctx[rs.rule.ctxIndex];
    return def.snapshot ? def.snapshot(value) : toJson(value);
  }

  /**
   * Processes buffered events with ts < watermark (ts <= watermark when flushing: the input
   * is complete) merged with timers due (at < watermark), in time order; at equal time an
   * event goes before a timer, events by rank.
   */
  private release(flushing: boolean): void {
    const wm = this.watermark;
    for (;;) {
      const e = this.buffer.peek();
      const t = this.timers.peek();
      const eReady = e !== undefined && (e.event.ts < wm || (flushing && e.event.ts <= wm));
      const tReady = t !== undefined && t.at < wm;
      if (!eReady && !tReady) break;
      if (tReady && (!eReady || t.at < e.event.ts)) this.fire(this.timers.pop() as Timer);
      else this.process(this.buffer.pop() as Ingested);
    }
    // Sweeps only reclaim memory (pruned state could never match; eviction is decided
    // exactly, per event, in process()), so they may run whenever: at most once per sweep
    // interval of event time, and only after as many events as there are keys, which keeps
    // their cost O(1) per event however many keys are held.
    if (wm >= this.nextSweep && wm !== -Infinity && this.sinceSweep >= this.keyCount()) {
      if (this.nextSweep !== -Infinity) this.sweep(wm);
      this.nextSweep = wm + this.options.sweepIntervalMs;
      this.sinceSweep = 0;
    }
  }

  private sweep(wm: number): void {
    sweep(this.c.spaces, wm - this.options.allowedLatenessMs, wm - this.options.idleKeyTtlMs);
  }

  private keyCount(): number {
    let n = 0;
    for (const s of this.c.spaces) n += s.keys.size;
    return n;
  }

  private fire(t: Timer): void {
    const rs = t.rs;
    if (rs.dead || rs.timerAt !== t.at) return;
    rs.timerAt = -Infinity;
    if (!rs.rule.enabled) return;
    if (rs.rule.observer !== undefined) rs.rule.observer.note({ kind: 'timer', at: t.at });
    try {
      rs.rule.op.onTimer(rs, t.at, this);
    } catch (err) {
      this.ruleError(rs.rule, rs.key, `timer@${t.at}`, err);
    }
  }

  private process(item: Ingested): void {
    const e = item.event;
    this.sinceSweep++;
    const routes = this.routes[e.kind];
    if (routes === undefined) return;
    const probe = this.probe !== undefined && --this.untilProbe === 0 ? this.probe : undefined;
    if (probe !== undefined) this.untilProbe = probe.every;
    for (let r = 0; r < routes.length; r++) {
      const route = routes[r] as Route;
      const space = route.space;
      let key: string | null;
      try {
        key = route.extract(e);
      } catch (err) {
        // Sharded, the shard that routed the event reported it (ownersOf); report once.
        if (this.owns === undefined) for (const cr of route.rules) this.ruleError(cr, '', e.id, err);
        continue;
      }
      if (key === null || key === undefined || key === '') continue;
      if (this.owns !== undefined && !this.owns(space.space.name, key)) continue;
      // No on-time event still to come is older than this (keys.ts): pruning there is exact.
      const horizon = e.ts - this.lateness;
      let ks = space.keys.get(key);
      if (ks !== undefined && ks.lastSeen < e.ts - this.ttl && idle(ks, horizon)) {
        // Idle past its TTL: the key starts afresh, exactly as if a sweep had evicted it.
        if (this.observed !== undefined && space.rules.includes(this.observed)) this.observed.observer?.note({ kind: 'evicted', lastSeen: ks.lastSeen });
        evict(space, ks);
        ks = undefined;
      }
      if (ks === undefined) ks = openKey(space, key, e.ts, horizon, e.ts - this.ttl, this.out);
      else touch(space.ring, ks);
      ks.lastSeen = e.ts;
      const rules = route.rules;
      for (let i = 0; i < rules.length; i++) {
        const cr = rules[i] as CompiledRule;
        if (!cr.enabled) continue;
        let rs = ks.rules[cr.local];
        if (rs === undefined) {
          rs = new RuleKeyState(cr, key, ks, cr.op.create());
          setRuleState(ks, cr.local, space.rules.length, rs);
        }
        cr.stats.eventsSeen++;
        if (cr.observer !== undefined) cr.observer.note({ kind: 'event', event: e, seq: rs.seq + 1 });
        const t0 = probe === undefined ? 0 : probe.now();
        try {
          cr.op.onEvent(rs, item, ++rs.seq, this);
        } catch (err) {
          this.ruleError(cr, key, e.id, err);
        }
        if (probe !== undefined) probe.record(cr.index, probe.now() - t0);
      }
      const folds = route.folds;
      for (let i = 0; i < folds.length; i++) {
        const f = folds[i] as Fold;
        try {
          ks.ctx[f.index] = f.fold(ks.ctx[f.index], e);
        } catch (err) {
          for (const cr of space.rules) if (cr.ctxIndex === f.index) this.ruleError(cr, key, e.id, err);
        }
      }
    }
  }

  private ruleError(cr: CompiledRule, key: string, eventId: string, err: unknown): void {
    cr.stats.errors++;
    const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.out.push({ kind: 'rule-error', ruleId: cr.rule.id, key, eventId, error });
    if (cr.observer !== undefined) cr.observer.note({ kind: 'error', error });
  }
}

/** Builds an engine over validated rules (throws CepError with every problem otherwise), optionally from a snapshot. */
export function createEngine(rules: readonly AnyRule[], options: Partial<EngineOptions> = {}, from?: EngineSnapshot | readonly EngineSnapshot[]): Engine {
  return new Engine(rules, options, from);
}
