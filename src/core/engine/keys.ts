// Key lifecycle. A key's state opens on its first event (contexts at their initial values,
// no rule state yet) and lives while it holds rule state or has seen an event within
// idleKeyTtlMs of event time. Past that it is evicted: exactly, on its next event (see
// Engine.process), or by a sweep, which only reclaims memory earlier. An evicted key that
// comes back starts afresh, exactly like a new one, so when sweeps run never shows.
import type { ContextDef } from '../rule-types.ts';
import { KeyState } from '../runtime.ts';
import type { Space } from './compile.ts';

/** A new key's state, added to its space: every context at its initial value. */
export function openKey(space: Space, key: string): KeyState {
  const ctx = new Array<unknown>(space.contexts.length);
  for (let c = 0; c < space.contexts.length; c++) ctx[c] = (space.contexts[c] as ContextDef<unknown>).initial();
  const ks = new KeyState(key, ctx, space.rules.length);
  space.keys.set(key, ks);
  return ks;
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
    if (rs.rule.op.prune(rs, horizon) && rs.timerAt === -Infinity) {
      rs.dead = true;
      ks.rules[i] = undefined;
    } else {
      empty = false;
    }
  }
  return empty;
}

/** Removes the key from its space; its timers still in the heap then do nothing. */
export function evict(space: Space, ks: KeyState): void {
  for (const rs of ks.rules) if (rs !== undefined) rs.dead = true;
  space.keys.delete(ks.key);
}

/**
 * Drops state that can no longer match (before `horizon`) and evicts the keys left empty
 * that saw no event since `idleBefore`. Returns how many keys it evicted.
 */
export function sweep(spaces: readonly Space[], horizon: number, idleBefore: number): number {
  let evicted = 0;
  for (const space of spaces) {
    for (const ks of space.keys.values()) {
      if (idle(ks, horizon) && ks.lastSeen < idleBefore) {
        evict(space, ks);
        evicted++;
      }
    }
  }
  return evicted;
}
