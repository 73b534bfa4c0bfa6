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
import type { AnyEvent, EventKind, EventTimeMs, SourceRef } from '../events/types.ts';
import { alertId } from './alert.ts';
import type { Alert, MatchedStep } from './alert.ts';
import { correlationOperator } from './correlation-operator.ts';
import type { Effect } from './effects.ts';
import { CepError } from './errors.ts';
import { KeyedHeap } from './heap.ts';
import { eventRank, shardOf } from './order.ts';
import { toJson } from './json.ts';
import type { JsonValue } from './json.ts';
import type { AnyRule, ContextDef, KeySpace, PatternStep } from './rule-types.ts';
import { Ingested, KeyState, RuleKeyState } from './runtime.ts';
import type { CompiledRule, Operator, OperatorHost, RuleStats, StateBounds } from './runtime.ts';
import { sequenceOperator } from './sequence-operator.ts';
import { thresholdOperator } from './threshold-operator.ts';
import { validateRules } from './validate.ts';

export interface EngineOptions {
  /** Watermark lag behind the largest event time seen (bounded out-of-orderness). */
  readonly outOfOrdernessMs: number;
  /** How far behind the watermark an event may be and still be processed. */
  readonly allowedLatenessMs: number;
  readonly maxPartialMatches: number;
  readonly maxWindowEvents: number;
  /** Keys with no event and no pending state for this long (event time) are evicted. */
  readonly idleKeyTtlMs: number;
  /** Event-time interval between sweeps of expired state. */
  readonly sweepIntervalMs: number;
  /** Shard ownership: when set, keys it rejects are skipped (another shard owns them). */
  readonly owns: ((keySpace: string, key: string) => boolean) | undefined;
}

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  outOfOrdernessMs: 0,
  allowedLatenessMs: 0,
  maxPartialMatches: 1000,
  maxWindowEvents: 10_000,
  idleKeyTtlMs: 45 * 86_400_000,
  sweepIntervalMs: 60_000,
  owns: undefined,
};

export interface RuleInfo {
  readonly id: string;
  readonly version: number;
  readonly kind: AnyRule['kind'];
  readonly enabled: boolean;
  readonly stats: Readonly<RuleStats>;
  readonly stateKeys: number;
  readonly held: number;
}

export interface EngineStats {
  readonly events: number;
  readonly late: number;
  readonly lateAccepted: number;
  readonly buffered: number;
  readonly timers: number;
  readonly watermark: number;
  readonly keys: number;
}

/**
 * Everything the engine holds, as structured-cloneable data (plain objects, arrays, Sets,
 * Maps; no functions). `snapshot()` returns live references: serialize it (v8.serialize,
 * structuredClone) before pushing more events. Restoring continues exactly where the
 * snapshot was taken: same watermark, buffered events, partial matches, windows, contexts.
 */
export interface EngineSnapshot {
  readonly format: 2;
  readonly watermark: number;
  readonly maxTs: number;
  readonly timerSeq: number;
  readonly nextSweep: number;
  readonly counts: { readonly events: number; readonly late: number; readonly lateAccepted: number };
  readonly buffer: readonly { readonly event: AnyEvent; readonly source: SourceRef | null }[];
  readonly spaces: readonly SpaceSnapshot[];
  /** Rules disabled at runtime when the snapshot was taken. */
  readonly disabled: readonly string[];
}

export interface SpaceSnapshot {
  readonly name: string;
  /** Context ids in the order of each key's `ctx` array. */
  readonly contexts: readonly string[];
  readonly keys: readonly KeySnapshot[];
}

export interface KeySnapshot {
  readonly key: string;
  readonly lastSeen: number;
  readonly ctx: readonly unknown[];
  readonly rules: readonly { readonly ruleId: string; readonly ruleVersion: number; readonly seq: number; readonly timerAt: number; readonly timerSeq: number; readonly op: unknown }[];
}

interface SpaceRuntime {
  readonly space: KeySpace;
  readonly keys: Map<string, KeyState>;
  readonly contexts: ContextDef<unknown>[];
  readonly rules: CompiledRule[];
  /** Per event kind: rules of this space reading it, and contexts folding it. */
  readonly rulesByKind: Map<EventKind, CompiledRule[]>;
  readonly foldsByKind: Map<EventKind, number[]>;
}

interface Fold {
  readonly index: number;
  readonly fold: (ctx: unknown, e: AnyEvent) => unknown;
}

/** What one event kind touches in one key space, compiled once. */
interface Route {
  readonly space: SpaceRuntime;
  readonly extract: (e: AnyEvent) => string | null;
  readonly rules: readonly CompiledRule[];
  readonly folds: readonly Fold[];
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly rs: RuleKeyState;
}

function kindsOf(rule: AnyRule): Set<EventKind> {
  switch (rule.kind) {
    case 'sequence': return new Set((rule.steps as readonly PatternStep[]).map((s) => s.kind));
    case 'threshold': return new Set([rule.on]);
    case 'correlation': return new Set(rule.roles.map((r) => r.kind));
    default: {
      const never: never = rule;
      throw new Error(`unknown rule ${JSON.stringify(never)}`);
    }
  }
}

function operatorOf(rule: AnyRule, bounds: StateBounds): Operator {
  switch (rule.kind) {
    case 'sequence': return sequenceOperator(rule, bounds);
    case 'threshold': return thresholdOperator(rule, bounds);
    case 'correlation': return correlationOperator(rule, bounds);
    default: {
      const never: never = rule;
      throw new Error(`unknown rule ${JSON.stringify(never)}`);
    }
  }
}

function checkOptions(o: EngineOptions): void {
  const problems: string[] = [];
  const nonNeg = ['outOfOrdernessMs', 'allowedLatenessMs', 'idleKeyTtlMs'] as const;
  for (const k of nonNeg) if (!(Number.isFinite(o[k]) && o[k] >= 0)) problems.push(`${k} must be a number >= 0 (got ${o[k]})`);
  const pos = ['maxPartialMatches', 'maxWindowEvents', 'sweepIntervalMs'] as const;
  for (const k of pos) if (!(Number.isInteger(o[k]) && o[k] > 0)) problems.push(`${k} must be a whole number > 0 (got ${o[k]})`);
  if (problems.length > 0) throw new CepError('CEP_ERR_ENGINE_OPTIONS', 'invalid engine options', problems);
}

export class Engine implements OperatorHost {
  readonly options: EngineOptions;
  readonly compiled: readonly CompiledRule[];
  private readonly spaces: SpaceRuntime[] = [];
  private readonly routes: Partial<Record<EventKind, Route[]>> = {};
  private readonly ttl: number;
  private readonly lateness: number;
  private readonly owns: ((keySpace: string, key: string) => boolean) | undefined;
  private readonly ruleSpace: SpaceRuntime[] = [];
  /** Reorder buffer by (event time, rank). */
  private readonly buffer = new KeyedHeap<Ingested>();
  /** Timers by (deadline, scheduling order). */
  private readonly timers = new KeyedHeap<Timer>();
  private out: Effect[] = [];
  private timerSeq = 0;
  private maxTs = -Infinity;
  private nextSweep = -Infinity;
  private sinceSweep = 0;
  private keyCount = 0;
  private counts = { events: 0, late: 0, lateAccepted: 0 };
  watermark = -Infinity;

  constructor(rules: readonly AnyRule[], options: Partial<EngineOptions> = {}, from?: EngineSnapshot | readonly EngineSnapshot[]) {
    validateRules(rules);
    this.options = { ...DEFAULT_ENGINE_OPTIONS, ...options };
    checkOptions(this.options);
    this.ttl = this.options.idleKeyTtlMs;
    this.lateness = this.options.allowedLatenessMs;
    this.owns = this.options.owns;
    const bounds: StateBounds = this.options;
    const compiled: CompiledRule[] = [];
    rules.forEach((rule, index) => {
      let space = this.spaces.find((s) => s.space === rule.key);
      if (space === undefined) {
        space = { space: rule.key, keys: new Map(), contexts: [], rules: [], rulesByKind: new Map(), foldsByKind: new Map() };
        this.spaces.push(space);
      }
      let ctxIndex = -1;
      if (rule.context !== undefined) {
        ctxIndex = space.contexts.findIndex((c) => c === rule.context || c.id === rule.context?.id);
        if (ctxIndex < 0) {
          ctxIndex = space.contexts.length;
          space.contexts.push(rule.context);
        }
      }
      const cr: CompiledRule = {
        index, local: space.rules.length, rule, kinds: kindsOf(rule), op: operatorOf(rule, bounds), ctxIndex, enabled: true,
        stats: { eventsSeen: 0, alerts: 0, errors: 0, overflowDropped: 0 },
      };
      compiled.push(cr);
      space.rules.push(cr);
      this.ruleSpace[index] = space;
      for (const k of cr.kinds) {
        const list = space.rulesByKind.get(k) ?? [];
        list.push(cr);
        space.rulesByKind.set(k, list);
      }
    });
    for (const space of this.spaces) {
      const kinds = new Set<EventKind>([...Object.keys(space.space.keys)] as EventKind[]);
      space.contexts.forEach((c, ci) => {
        for (const k of Object.keys(c.fold) as EventKind[]) {
          if (!kinds.has(k)) continue;
          const list = space.foldsByKind.get(k) ?? [];
          list.push(ci);
          space.foldsByKind.set(k, list);
        }
      });
      for (const k of kinds) {
        if (!space.rulesByKind.has(k) && !space.foldsByKind.has(k)) continue;
        const extract = (space.space.keys as Record<string, (ev: AnyEvent) => string | null>)[k] as (ev: AnyEvent) => string | null;
        const folds = (space.foldsByKind.get(k) ?? []).map((index) => ({
          index, fold: ((space.contexts[index] as ContextDef<unknown>).fold as Record<string, (c: unknown, ev: AnyEvent) => unknown>)[k] as (c: unknown, ev: AnyEvent) => unknown,
        }));
        (this.routes[k] ??= []).push({ space, extract, rules: space.rulesByKind.get(k) ?? [], folds });
      }
    }
    this.compiled = compiled;
    if (from !== undefined) this.restore(Array.isArray(from) ? from as readonly EngineSnapshot[] : [from as EngineSnapshot]);
  }

  /** The whole state as cloneable data (see EngineSnapshot). */
  snapshot(): EngineSnapshot {
    return {
      format: 2, watermark: this.watermark, maxTs: this.maxTs, timerSeq: this.timerSeq, nextSweep: this.nextSweep,
      counts: { ...this.counts },
      buffer: this.buffer.values().map((it) => ({ event: it.event, source: it.source })),
      disabled: this.compiled.filter((c) => !c.enabled).map((c) => c.rule.id),
      spaces: this.spaces.map((space) => ({
        name: space.space.name,
        contexts: space.contexts.map((c) => c.id),
        keys: [...space.keys.values()].map((ks) => ({
          key: ks.key, lastSeen: ks.lastSeen, ctx: ks.ctx,
          rules: ks.rules.flatMap((rs) => rs === undefined ? [] : [{ ruleId: rs.rule.rule.id, ruleVersion: rs.rule.rule.version, seq: rs.seq, timerAt: rs.timerAt, timerSeq: rs.timerSeq, op: rs.op }]),
        })),
      })),
    };
  }

  /**
   * Loads snapshots into this (fresh) engine: one, or those of every shard of an earlier run
   * (any shard count), of which this engine keeps the keys it owns. State of rules that no
   * longer exist, or whose version changed, is dropped: a new version means new semantics,
   * so it starts clean.
   */
  private restore(snaps: readonly EngineSnapshot[]): void {
    const seen = new Set<string>();
    for (const snap of snaps) {
      if (snap.format !== 2) throw new CepError('CEP_ERR_SNAPSHOT', `unknown snapshot format ${String(snap.format)}; it was written by another Cepheus version`);
      if (snap.watermark > this.watermark) this.watermark = snap.watermark;
      if (snap.maxTs > this.maxTs) this.maxTs = snap.maxTs;
      if (snap.timerSeq > this.timerSeq) this.timerSeq = snap.timerSeq;
      if (snap.nextSweep > this.nextSweep) this.nextSweep = snap.nextSweep;
      if (snaps.length === 1) this.counts = { ...snap.counts };
      for (const id of snap.disabled) this.setEnabled(id, false);
      for (const b of snap.buffer) {
        // An event buffered by several old shards (one per key space owner) is kept once.
        const dedup = `${b.event.id}\u0000${b.event.ts}`;
        if (seen.has(dedup) || !this.ownsAnyKeyOf(b.event)) continue;
        seen.add(dedup);
        const rank = eventRank(b.event.id);
        this.buffer.push(b.event.ts, new Ingested(b.event, b.source, rank), rank);
      }
      for (const ss of snap.spaces) {
        const space = this.spaces.find((s) => s.space.name === ss.name);
        if (space === undefined) continue;
        for (const k of ss.keys) {
          if (this.owns !== undefined && !this.owns(ss.name, k.key)) continue;
          const ctx = space.contexts.map((c) => {
            const i = ss.contexts.indexOf(c.id);
            return i >= 0 ? k.ctx[i] : c.initial();
          });
          const ks = new KeyState(k.key, ctx, space.rules.length);
          ks.lastSeen = k.lastSeen;
          for (const r of k.rules) {
            const cr = space.rules.find((c) => c.rule.id === r.ruleId);
            if (cr === undefined || cr.rule.version !== r.ruleVersion) continue;
            const rs = new RuleKeyState(cr, k.key, ks, r.op);
            rs.seq = r.seq;
            ks.rules[cr.local] = rs;
            if (r.timerAt !== -Infinity) {
              rs.timerAt = r.timerAt;
              rs.timerSeq = r.timerSeq;
              this.timers.push(r.timerAt, { at: r.timerAt, seq: r.timerSeq, rs }, r.timerSeq);
            }
          }
          if (!space.keys.has(k.key)) this.keyCount++;
          space.keys.set(k.key, ks);
        }
      }
    }
  }

  private ownsAnyKeyOf(e: AnyEvent): boolean {
    if (this.owns === undefined) return true;
    const routes = this.routes[e.kind];
    if (routes === undefined) return false;
    for (const route of routes) {
      let key: string | null;
      try {
        key = route.extract(e);
      } catch {
        continue;
      }
      if (key !== null && key !== undefined && key !== '' && this.owns(route.space.space.name, key)) return true;
    }
    return false;
  }

  /**
   * Shards owning at least one key of `e` (shardOf(key, shards) over every key space reading
   * its kind), written into `out`; returns how many. A key extractor that throws is skipped
   * here: the owner never sees the event for that space, and the error is reported once.
   */
  ownersOf(e: AnyEvent, shards: number, out: Int32Array): number {
    const routes = this.routes[e.kind];
    if (routes === undefined) return 0;
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
      const owner = shardOf(key, shards);
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
    this.counts.events++;
    const ts = event.ts as number;
    if (ts < this.watermark) {
      if (ts < this.watermark - this.options.allowedLatenessMs) {
        this.counts.late++;
        this.out.push({ kind: 'late', event, source, watermark: this.watermark as EventTimeMs });
        return false;
      }
      this.counts.lateAccepted++;
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
    return this.compiled.map((cr) => {
      let stateKeys = 0;
      let held = 0;
      for (const ks of (this.ruleSpace[cr.index] as SpaceRuntime).keys.values()) {
        const rs = ks.rules[cr.local];
        if (rs === undefined) continue;
        stateKeys++;
        held += cr.op.held(rs);
      }
      return { id: cr.rule.id, version: cr.rule.version, kind: cr.rule.kind, enabled: cr.enabled, stats: { ...cr.stats }, stateKeys, held };
    });
  }

  stats(): EngineStats {
    let keys = 0;
    for (const s of this.spaces) keys += s.keys.size;
    return { ...this.counts, buffered: this.buffer.size, timers: this.timers.size, watermark: this.watermark, keys };
  }

  // ---- OperatorHost ----------------------------------------------------------

  alert(rs: RuleKeyState, matched: readonly MatchedStep[], firstTs: number, lastTs: number, detectedAt: number,
    aggregates: Readonly<Record<string, number>>, message: string, salt: string): void {
    const r = rs.rule.rule;
    const alert: Alert = {
      id: alertId(r.id, r.version, rs.key, matched, salt), ruleId: r.id, ruleVersion: r.version, ruleKind: r.kind,
      severity: r.severity, keySpace: r.key.name, key: rs.key,
      firstEventTime: firstTs as EventTimeMs, lastEventTime: lastTs as EventTimeMs, detectedAtEventTime: detectedAt as EventTimeMs,
      message, matched, aggregates, context: this.contextSnapshot(rs),
    };
    rs.rule.stats.alerts++;
    this.out.push({ kind: 'alert', alert });
  }

  overflow(rs: RuleKeyState, dropped: number): void {
    rs.rule.stats.overflowDropped += dropped;
    this.out.push({ kind: 'overflow', ruleId: rs.rule.rule.id, key: rs.key, dropped });
  }

  schedule(rs: RuleKeyState, at: number): void {
    if (rs.timerAt !== -Infinity && rs.timerAt <= at) return;
    rs.timerAt = at;
    rs.timerSeq = this.timerSeq++;
    this.timers.push(at, { at, seq: rs.timerSeq, rs }, rs.timerSeq);
  }

  context(rs: RuleKeyState): unknown {
    return rs.rule.ctxIndex < 0 ? undefined : rs.keyState.ctx[rs.rule.ctxIndex];
  }

  // ---- internals ---------------------------------------------------------------

  private contextSnapshot(rs: RuleKeyState): JsonValue {
    if (rs.rule.ctxIndex < 0) return null;
    const def = (this.ruleSpace[rs.rule.index] as SpaceRuntime).contexts[rs.rule.ctxIndex] as ContextDef<unknown>;
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
    if (wm >= this.nextSweep && wm !== -Infinity && this.sinceSweep >= this.keyCount) {
      if (this.nextSweep !== -Infinity) this.sweep(wm);
      this.nextSweep = wm + this.options.sweepIntervalMs;
      this.sinceSweep = 0;
    }
  }

  private fire(t: Timer): void {
    const rs = t.rs;
    if (rs.dead || rs.timerAt !== t.at) return;
    rs.timerAt = -Infinity;
    if (!rs.rule.enabled) return;
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
      let ks = space.keys.get(key);
      if (ks !== undefined && ks.lastSeen < e.ts - this.ttl && this.idle(ks, this.watermark - this.lateness)) {
        // Idle past its TTL: the key starts afresh, exactly as if a sweep had evicted it.
        this.evict(space, ks);
        ks = undefined;
      }
      if (ks === undefined) {
        const ctx = new Array<unknown>(space.contexts.length);
        for (let c = 0; c < space.contexts.length; c++) ctx[c] = (space.contexts[c] as ContextDef<unknown>).initial();
        ks = new KeyState(key, ctx, space.rules.length);
        space.keys.set(key, ks);
        this.keyCount++;
      }
      ks.lastSeen = e.ts;
      const rules = route.rules;
      for (let i = 0; i < rules.length; i++) {
        const cr = rules[i] as CompiledRule;
        if (!cr.enabled) continue;
        let rs = ks.rules[cr.local];
        if (rs === undefined) {
          rs = new RuleKeyState(cr, key, ks, cr.op.create());
          ks.rules[cr.local] = rs;
        }
        cr.stats.eventsSeen++;
        try {
          cr.op.onEvent(rs, item, ++rs.seq, this);
        } catch (err) {
          this.ruleError(cr, key, e.id, err);
        }
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
  }

  /**
   * Prunes what can no longer match and drops rule states left empty (a fresh state is
   * equivalent: positions only matter relative to held partial matches). True when the key
   * holds no rule state at all.
   */
  private idle(ks: KeyState, horizon: number): boolean {
    let empty = true;
    for (let i = 0; i < ks.rules.length; i++) {
      const rs = ks.rules[i];
      if (rs === undefined) continue;
      if (rs.rule.op.prune(rs, horizon) && rs.timerAt === -Infinity) {
        rs.dead = true;
        ks.rules[i] = undefined;
      } else {
        empty = false;
      }
    }
    return empty;
  }

  /** Runs a sweep now: prunes dead partial matches, drops empty state, evicts idle keys. */
  compact(): void {
    if (this.watermark !== -Infinity) this.sweep(this.watermark);
  }

  private evict(space: SpaceRuntime, ks: KeyState): void {
    for (const rs of ks.rules) if (rs !== undefined) rs.dead = true;
    space.keys.delete(ks.key);
    this.keyCount--;
  }

  /** Drops state that can no longer match and evicts idle keys (memory only; see release()). */
  private sweep(wm: number): void {
    const horizon = wm - this.options.allowedLatenessMs;
    const idleBefore = wm - this.options.idleKeyTtlMs;
    for (const space of this.spaces) {
      for (const ks of space.keys.values()) {
        if (this.idle(ks, horizon) && ks.lastSeen < idleBefore) this.evict(space, ks);
      }
    }
  }
}

/** Builds an engine over validated rules (throws CepError with every problem otherwise), optionally from a snapshot. */
export function createEngine(rules: readonly AnyRule[], options: Partial<EngineOptions> = {}, from?: EngineSnapshot | readonly EngineSnapshot[]): Engine {
  return new Engine(rules, options, from);
}
