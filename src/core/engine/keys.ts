// Key lifecycle and the key budget. A key's state opens on its first event (contexts at their
// initial values, no rule state yet). It leaves memory in three ways:
// - TTL: idle and without an event for idleKeyTtlMs of event time, it starts afresh on its
//   next event (Engine.process decides, exactly); sweeps may reclaim it earlier in spaces
//   without a budget, where when they run never shows.
// - Budget: each key space holds at most maxKeys keys, split evenly over its key groups
//   (order.ts). A new key whose group is full first evicts a batch of the group's least
//   recently active keys, idle ones first, and the batch is reported as an `evicted` effect.
// - compact(): an explicit sweep.
//
// Recency: each group keeps its keys in a doubly linked list, least recently active first.
// A key is active when it gets an event, and when an eviction finds it holding state (it
// then moves to the end as if it had an event): so idle keys are in the order of their last
// event in processing order ((event time, rank); a late-accepted event when processed).
//
//   heads[g] ─► k7 ⇄ k2 ⇄ k9 ⇄ ... ⇄ k4 ◄─ tails[g]      (k4: the last event of group g)
//
// Idle: a key holds no rule state (no partial match, window event or pending timer) once what
// can no longer match is pruned. Pruning uses the horizon of the event that needs room (its
// time - allowedLateness), never the watermark, so which keys are idle, and so which keys are
// evicted, depends only on the input: not on batching, rounds, sweeps or the shard count (a
// group lives on one shard, and its keys see the same events in the same order on any).
// Sweeps never remove keys from a space with a budget: its key count would then depend on
// when they ran.
import type { EventTimeMs } from '../../events/types.ts';
import type { Effect } from '../effects.ts';
import { CepError } from '../errors.ts';
import { keyGroupOf } from '../order.ts';
import type { ContextDef } from '../rule-types.ts';
import { KeyState, NO_CONTEXTS, NO_RULES } from '../runtime.ts';

/** What the key lifecycle needs of a compiled key space (compile.ts's Space). */
export interface Space {
  readonly space: { readonly name: string };
  readonly keys: Map<string, KeyState>;
  readonly ring: KeyRing;
  readonly contexts: readonly ContextDef<unknown>[];
  readonly rules: readonly unknown[];
}

/** The budget options (see options.ts). */
export interface KeyBudget {
  readonly maxKeys: number;
  readonly maxKeysBySpace: Readonly<Record<string, number>>;
  readonly keyGroups: number;
}

/** A key space's recency lists and budget, one list per key group. */
export class KeyRing {
  readonly groups: number;
  /** The space's budget (Infinity: none). */
  readonly maxKeys: number;
  readonly bounded: boolean;
  /** Keys per group at most: maxKeys split evenly, the remainder to the first groups. */
  readonly caps: readonly number[];
  readonly heads: (KeyState | null)[];
  readonly tails: (KeyState | null)[];
  readonly counts: Int32Array;
  evictedIdle = 0;
  evictedActive = 0;
  constructor(groups: number, maxKeys: number) {
    this.groups = groups;
    this.maxKeys = maxKeys;
    this.bounded = Number.isFinite(maxKeys);
    const base = this.bounded ? Math.floor(maxKeys / groups) : Infinity;
    const extra = this.bounded ? maxKeys % groups : 0;
    this.caps = Array.from({ length: groups }, (_, g) => base + (g < extra ? 1 : 0));
    this.heads = new Array<KeyState | null>(groups).fill(null);
    this.tails = new Array<KeyState | null>(groups).fill(null);
    this.counts = new Int32Array(groups);
  }
}

/** A key space's keys, budget (null: none) and evictions since the engine was built. */
export interface KeySpaceStats {
  readonly name: string;
  readonly keys: number;
  readonly maxKeys: number | null;
  readonly evictedIdle: number;
  readonly evictedActive: number;
}

export function spaceStats(s: Space): KeySpaceStats {
  return { name: s.space.name, keys: s.keys.size, maxKeys: s.ring.bounded ? s.ring.maxKeys : null, evictedIdle: s.ring.evictedIdle, evictedActive: s.ring.evictedActive };
}

/** Each space's budget: maxKeysBySpace[name] ?? maxKeys. Throws for a name no rule keys by. */
export function budgetOf(names: readonly string[], b: KeyBudget): number[] {
  const unknown = Object.keys(b.maxKeysBySpace).filter((n) => !names.includes(n));
  if (unknown.length > 0) {
    throw new CepError('CEP_ERR_ENGINE_OPTIONS', 'invalid engine options', unknown.map((n) => `maxKeysBySpace.${n}: no rule is keyed by a key space named '${n}' (key spaces: ${names.join(', ')})`));
  }
  return names.map((n) => b.maxKeysBySpace[n] ?? b.maxKeys);
}

function link(ring: KeyRing, ks: KeyState): void {
  const g = ks.group;
  const tail = ring.tails[g] as KeyState | null;
  ks.prev = tail;
  ks.next = null;
  if (tail === null) ring.heads[g] = ks;
  else tail.next = ks;
  ring.tails[g] = ks;
  ring.counts[g] = (ring.counts[g] as number) + 1;
}

function unlink(ring: KeyRing, ks: KeyState): void {
  const g = ks.group;
  const { prev, next } = ks;
  if (prev === null) ring.heads[g] = next;
  else prev.next = next;
  if (next === null) ring.tails[g] = prev;
  else next.prev = prev;
  ks.prev = null;
  ks.next = null;
  ring.counts[g] = (ring.counts[g] as number) - 1;
}

/** An event for the key: it becomes its group's most recently active (on every event: no allocation, no count update). */
export function touch(ring: KeyRing, ks: KeyState): void {
  const g = ks.group;
  const tail = ring.tails[g] as KeyState;
  if (tail === ks) return;
  const prev = ks.prev;
  const next = ks.next as KeyState; // not the tail, so it has a next
  if (prev === null) ring.heads[g] = next;
  else prev.next = next;
  next.prev = prev;
  ks.prev = tail;
  ks.next = null;
  tail.next = ks;
  ring.tails[g] = ks;
}

/**
 * A new key's state, added to its space as the most recently active (every context at its
 * initial value). When its group is full, a batch of the group's keys is evicted first (see
 * makeRoom) and reported in `out`.
 */
export function openKey(space: Space, key: string, at: number, horizon: number, expiredBefore: number, out: Effect[]): KeyState {
  const ring = space.ring;
  const g = keyGroupOf(key, ring.groups);
  if (ring.counts[g] as number >= (ring.caps[g] as number)) makeRoom(space, g, at, horizon, expiredBefore, out);
  const ctx = space.contexts.length === 0 ? NO_CONTEXTS : new Array<unknown>(space.contexts.length);
  for (let c = 0; c < space.contexts.length; c++) ctx[c] = (space.contexts[c] as ContextDef<unknown>).initial();
  const ks = new KeyState(key, ctx, g);
  space.keys.set(key, ks);
  link(ring, ks);
  return ks;
}

/** A restored key's state, linked after the keys restored before it (snapshots list keys least recently active first). */
export function adoptKey(space: Space, ks: KeyState): void {
  const old = space.keys.get(ks.key);
  if (old !== undefined) evict(space, old);
  space.keys.set(ks.key, ks);
  link(space.ring, ks);
}

/**
 * Frees room in group `g` for one new key: evicts a batch of about a sixteenth of the group's
 * budget (at least one, and at least enough to get back under it), least recently active
 * first, idle keys before active ones:
 * - it examines keys from the least recently active on, at most four times the batch: an idle
 *   one is evicted, an active one (it holds state that may still match) counts as active now
 *   and moves to the end of the list;
 * - if that found too few idle keys, the group is mostly active: the least recently active
 *   keys left are evicted, whatever they hold, until the batch is complete.
 * So an active key is evicted only when fewer than one in four keys examined is idle, and
 * the cost is at most five idle checks per evicted key. One effect reports the batch. Idle keys
 * past their TTL go as well, unreported: they would start afresh on their next event anyway.
 */
function makeRoom(space: Space, g: number, at: number, horizon: number, expiredBefore: number, out: Effect[]): void {
  const ring = space.ring;
  const cap = ring.caps[g] as number;
  const count = ring.counts[g] as number;
  const need = Math.max(Math.ceil(cap / 16), count - cap + 1);
  const limit = Math.min(4 * need, count);
  const idleKeys: string[] = [];
  const activeKeys: string[] = [];
  let freed = 0;
  let ks = ring.heads[g] as KeyState | null;
  for (let examined = 0; ks !== null && freed < need && examined < limit; examined++) {
    const next = ks.next;
    if (idle(ks, horizon)) {
      evict(space, ks);
      if (ks.lastSeen >= expiredBefore) idleKeys.push(ks.key);
      freed++;
    } else {
      touch(ring, ks);
    }
    ks = next;
  }
  while (freed < need && (ks = ring.heads[g] as KeyState | null) !== null) {
    const wasIdle = idle(ks, horizon);
    evict(space, ks);
    if (!wasIdle) activeKeys.push(ks.key);
    else if (ks.lastSeen >= expiredBefore) idleKeys.push(ks.key);
    freed++;
  }
  ring.evictedIdle += idleKeys.length;
  ring.evictedActive += activeKeys.length;
  if (idleKeys.length + activeKeys.length > 0) out.push({ kind: 'evicted', keySpace: space.space.name, at: at as EventTimeMs, idle: idleKeys, active: activeKeys });
}

/**
 * Prunes what can no longer match and drops rule states left empty (a fresh state is
 * equivalent: positions only matter relative to held partial matches). True when the key
 * holds no rule state at all.
 */
export function idle(ks: KeyState, horizon: number): boolean {
  let empty = true;
  for (let i = 0; i < ks.rules.length; i++) {
    const rs = ks.rules[i];
    if (rs === undefined) continue;
    // A state holding nothing is fresh state: no need to prune (and allocate) to know it.
    if (rs.timerAt === -Infinity && (rs.rule.op.held(rs) === 0 || rs.rule.op.prune(rs, horizon))) {
      rs.dead = true;
      ks.rules[i] = undefined;
    } else {
      empty = false;
    }
  }
  // An idle key keeps no slots of its own (runtime.ts: NO_RULES).
  if (empty) ks.rules = NO_RULES;
  return empty;
}

/** Removes the key from its space; its timers still in the heap then do nothing. */
export function evict(space: Space, ks: KeyState): void {
  for (const rs of ks.rules) if (rs !== undefined) rs.dead = true;
  space.keys.delete(ks.key);
  unlink(space.ring, ks);
}

/** The space's keys, least recently active first within each group, groups in order (for snapshots). */
export function keysByRecency(space: Space): KeyState[] {
  const ring = space.ring;
  const out: KeyState[] = [];
  for (let g = 0; g < ring.groups; g++) {
    for (let ks = ring.heads[g] as KeyState | null; ks !== null; ks = ks.next) out.push(ks);
  }
  return out;
}

/**
 * Drops state that can no longer match (before `horizon`) and, in spaces without a budget,
 * evicts the keys left empty that saw no event since `idleBefore`. Returns how many keys it
 * evicted.
 */
export function sweep(spaces: readonly Space[], horizon: number, idleBefore: number): number {
  let evicted = 0;
  for (const space of spaces) {
    const removable = !space.ring.bounded;
    for (const ks of space.keys.values()) {
      if (idle(ks, horizon) && removable && ks.lastSeen < idleBefore) {
        evict(space, ks);
        evicted++;
      }
    }
  }
  return evicted;
}
