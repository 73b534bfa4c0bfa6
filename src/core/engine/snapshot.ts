// Snapshots: everything an engine holds, as structured-cloneable data, and the restore
// that continues exactly where the snapshot was taken (same watermark, buffered events,
// partial matches, windows, contexts). A restoring engine may take the snapshots of every
// shard of an earlier run (any shard count) and keeps the keys it owns. Keys are listed least
// recently active first within each key group, so a restore rebuilds the recency lists the
// key budget evicts by (keys.ts) exactly: a group lives on one shard, so its keys come from
// one snapshot, in order. Restored with another keyGroups, the order is rebuilt from each
// key's last event time instead (ties: snapshot order).
import type { AnyEvent, SourceRef } from '../../events/types.ts';
import { CepError } from '../errors.ts';
import type { KeyedHeap } from '../heap.ts';
import { eventRank, keyGroupOf } from '../order.ts';
import { Ingested, KeyState, NO_CONTEXTS, Reviver, RuleKeyState, Timer, setRuleState } from '../runtime.ts';
import type { ContextDef } from '../rule-types.ts';
import type { CompiledRule } from '../runtime.ts';
import { ownsAnyKeyOf } from './compile.ts';
import type { Compiled, Space } from './compile.ts';
import { adoptKey, keysByRecency } from './keys.ts';

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
  /** The key groups the keys were ordered by (absent: written before key groups existed). */
  readonly keyGroups?: number;
  readonly counts: EngineCounts;
  readonly buffer: readonly { readonly event: AnyEvent; readonly source: SourceRef | null }[];
  readonly spaces: readonly SpaceSnapshot[];
  /** Rules disabled at runtime when the snapshot was taken. */
  readonly disabled: readonly string[];
}

export interface EngineCounts { readonly events: number; readonly late: number; readonly lateAccepted: number }

export interface SpaceSnapshot {
  readonly name: string;
  /** Ids of the space's rules: several key spaces may share a name (two keyBy('account', ...)). */
  readonly rules?: readonly string[];
  /** Context ids in the order of each key's `ctx` array. */
  readonly contexts: readonly string[];
  /** Per key group, least recently active first (groups in order). */
  readonly keys: readonly KeySnapshot[];
}

export interface KeySnapshot {
  readonly key: string;
  readonly lastSeen: number;
  readonly ctx: readonly unknown[];
  readonly rules: readonly { readonly ruleId: string; readonly ruleVersion: number; readonly seq: number; readonly timerAt: number; readonly timerSeq: number; readonly op: unknown }[];
}

/** The engine's clocks and counters, as a snapshot carries them (and restore merges them). */
export interface EngineTimes {
  readonly watermark: number;
  readonly maxTs: number;
  readonly timerSeq: number;
  readonly nextSweep: number;
}

/** The whole state, by reference (see EngineSnapshot). */
export function snapshotOf(times: EngineTimes, counts: EngineCounts, buffered: readonly Ingested[], c: Compiled): EngineSnapshot {
  return {
    format: 2, watermark: times.watermark, maxTs: times.maxTs, timerSeq: times.timerSeq, nextSweep: times.nextSweep, keyGroups: c.spaces[0]?.ring.groups ?? 0,
    counts: { events: counts.events, late: counts.late, lateAccepted: counts.lateAccepted },
    buffer: buffered.map((it) => ({ event: it.event, source: it.source })),
    disabled: c.rules.filter((cr) => !cr.enabled).map((cr) => cr.rule.id),
    spaces: c.spaces.map((space) => ({
      name: space.space.name,
      rules: space.rules.map((cr) => cr.rule.id),
      contexts: space.contexts.map((ctx) => ctx.id),
      keys: keysByRecency(space).map((ks) => ({
        key: ks.key, lastSeen: ks.lastSeen, ctx: ks.ctx,
        rules: ks.rules.flatMap((rs) => rs === undefined ? [] : [{ ruleId: rs.rule.rule.id, ruleVersion: rs.rule.rule.version, seq: rs.seq, timerAt: rs.timerAt, timerSeq: rs.timerSeq, op: rs.op }]),
      })),
    })),
  };
}

/** What restore leaves for the engine to adopt. */
export interface Restored extends EngineTimes {
  /** The snapshot's counters when there is exactly one snapshot (shards' counters do not add up). */
  readonly counts: EngineCounts | undefined;
}

/**
 * Loads snapshots into a fresh engine's compiled rules, buffer and timers. State of rules
 * that no longer exist, or whose version changed, is dropped: a new version means new
 * semantics, so it starts clean.
 */
export function restore(snaps: readonly EngineSnapshot[], c: Compiled, owns: ((keySpace: string, key: string) => boolean) | undefined,
  buffer: KeyedHeap<Ingested>, timers: KeyedHeap<Timer>, keep?: (e: AnyEvent) => boolean): Restored {
  let watermark = -Infinity;
  let maxTs = -Infinity;
  let timerSeq = 0;
  let nextSweep = -Infinity;
  const seen = new Set<string>();
  const reviver = new Reviver();
  const groups = c.spaces[0]?.ring.groups;
  const regroup = snaps.some((snap) => snap.keyGroups !== groups);
  const later: { readonly space: Space; readonly ks: KeyState }[] = [];
  for (const snap of snaps) {
    if (snap.format !== 2) throw new CepError('CEP_ERR_SNAPSHOT', `unknown snapshot format ${String(snap.format)}; it was written by another Cepheus version`);
    if (snap.watermark > watermark) watermark = snap.watermark;
    if (snap.maxTs > maxTs) maxTs = snap.maxTs;
    if (snap.timerSeq > timerSeq) timerSeq = snap.timerSeq;
    if (snap.nextSweep > nextSweep) nextSweep = snap.nextSweep;
    for (const id of snap.disabled) {
      const cr = c.rules.find((r) => r.rule.id === id);
      if (cr !== undefined) cr.enabled = false;
    }
    for (const b of snap.buffer) {
      // An event buffered by several old shards (one per key space owner) is kept once.
      const dedup = `${b.event.id}\u0000${b.event.ts}`;
      if (seen.has(dedup) || !(ownsAnyKeyOf(c.routes, owns, b.event) || keep?.(b.event) === true)) continue;
      seen.add(dedup);
      const rank = eventRank(b.event.id);
      buffer.push(b.event.ts, new Ingested(b.event, b.source, rank), rank);
    }
    for (const ss of snap.spaces) {
      const space = spaceOf(c, ss);
      if (space === undefined) continue;
      for (const k of ss.keys) {
        if (owns !== undefined && !owns(ss.name, k.key)) continue;
        // A key an earlier snapshot restored already (a promoted shadow's state merged into the
        // live engine's: shadow.ts) gets the rule states it lacks; its context stays.
        const known = regroup ? undefined : space.keys.get(k.key);
        if (known !== undefined) {
          restoreRules(space, k, known, timers, reviver);
          continue;
        }
        const ks = restoreKey(space, ss, k, timers, reviver);
        if (regroup) later.push({ space, ks });
        else adoptKey(space, ks);
      }
    }
  }
  // Other key groups: recency by last event time over every snapshot (a stable sort).
  later.sort((a, b) => a.ks.lastSeen - b.ks.lastSeen);
  for (const { space, ks } of later) adoptKey(space, ks);
  return { watermark, maxTs, timerSeq, nextSweep, counts: snaps.length === 1 ? (snaps[0] as EngineSnapshot).counts : undefined };
}

/**
 * The space a snapshot's space restores into: by name, and among spaces of the same name, the
 * one holding its rules (a snapshot without rule ids takes the first of that name).
 */
function spaceOf(c: Compiled, ss: SpaceSnapshot): Space | undefined {
  const named = c.spaces.filter((s) => s.space.name === ss.name);
  const ids = ss.rules;
  return (ids === undefined ? undefined : named.find((s) => s.rules.some((cr) => ids.includes(cr.rule.id)))) ?? named[0];
}

/** A key's state as the snapshot holds it, built like a fresh one (see openKey in keys.ts). */
function restoreKey(space: Space, ss: SpaceSnapshot, k: KeySnapshot, timers: KeyedHeap<Timer>, reviver: Reviver): KeyState {
  const ctx = space.contexts.length === 0 ? NO_CONTEXTS : new Array<unknown>(space.contexts.length);
  for (let c = 0; c < space.contexts.length; c++) {
    const def = space.contexts[c] as ContextDef<unknown>;
    const i = ss.contexts.indexOf(def.id);
    ctx[c] = i >= 0 ? k.ctx[i] : def.initial();
  }
  const ks = new KeyState(k.key, ctx, keyGroupOf(k.key, space.ring.groups));
  ks.lastSeen = k.lastSeen;
  restoreRules(space, k, ks, timers, reviver);
  return ks;
}

/** The key's rule states of rules the space has at the same version (and the key holds none of yet), with their timers. */
function restoreRules(space: Space, k: KeySnapshot, ks: KeyState, timers: KeyedHeap<Timer>, reviver: Reviver): void {
  for (const r of k.rules) {
    const cr: CompiledRule | undefined = space.rules.find((x) => x.rule.id === r.ruleId);
    if (cr === undefined || cr.rule.version !== r.ruleVersion || ks.rules[cr.local] !== undefined) continue;
    const rs = new RuleKeyState(cr, k.key, ks, cr.op.restore(r.op, reviver));
    rs.seq = r.seq;
    setRuleState(ks, cr.local, space.rules.length, rs);
    if (r.timerAt !== -Infinity) {
      rs.timerAt = r.timerAt;
      rs.timerSeq = r.timerSeq;
      timers.push(r.timerAt, new Timer(r.timerAt, r.timerSeq, rs), r.timerSeq);
    }
  }
}
