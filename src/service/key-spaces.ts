// The key budget as the service reports it: every shard's key-space counts (engine.stats()
// .spaces, from its info task) merged into one line per key space for /metrics, and a log
// line when evictions start and at most once a minute while they go on (level 50 when active
// keys, with live state, were evicted).
import type { Logger } from 'pino';
import type { KeySpaceStats } from '../core/engine/index.ts';
import type { KeySpaceSignal } from '../http/metrics.ts';

/** One line per key space over all shards: keys and evictions summed, the budget as configured. */
export function mergeKeySpaces(perShard: readonly (readonly KeySpaceStats[])[]): KeySpaceSignal[] {
  const by = new Map<string, { name: string; keys: number; maxKeys: number | null; evictedIdle: number; evictedActive: number }>();
  for (const spaces of perShard) {
    for (const s of spaces) {
      const m = by.get(s.name);
      if (m === undefined) by.set(s.name, { ...s });
      else {
        m.keys += s.keys;
        m.evictedIdle += s.evictedIdle;
        m.evictedActive += s.evictedActive;
        m.maxKeys ??= s.maxKeys;
      }
    }
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name));
}

export interface BudgetLogLine {
  readonly level: 'warn' | 'error';
  readonly fields: { readonly keySpace: string; readonly idle: number; readonly active: number; readonly keys: number; readonly maxKeys: number | null };
}

const EVERY_MS = 60_000;

/** What to log: spaces whose evictions grew since the last line about them, at most once a minute each. */
export function budgetLogLines(spaces: readonly KeySpaceSignal[], logged: ReadonlyMap<string, { at: number; idle: number; active: number }>, now: number): BudgetLogLine[] {
  const out: BudgetLogLine[] = [];
  for (const s of spaces) {
    const last = logged.get(s.name);
    const grew = s.evictedIdle + s.evictedActive > (last === undefined ? 0 : last.idle + last.active);
    if (!grew || (last !== undefined && now - last.at < EVERY_MS)) continue;
    out.push({ level: s.evictedActive > (last?.active ?? 0) ? 'error' : 'warn', fields: { keySpace: s.name, idle: s.evictedIdle, active: s.evictedActive, keys: s.keys, maxKeys: s.maxKeys } });
  }
  return out;
}

export class KeySpaceWatch {
  spaces: KeySpaceSignal[] = [];
  private readonly logged = new Map<string, { at: number; idle: number; active: number }>();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  update(perShard: readonly (readonly KeySpaceStats[])[], now: number): void {
    this.spaces = mergeKeySpaces(perShard);
    for (const l of budgetLogLines(this.spaces, this.logged, now)) {
      this.log[l.level](l.fields, 'key budget: evicted the least recently active keys');
      this.logged.set(l.fields.keySpace, { at: now, idle: l.fields.idle, active: l.fields.active });
    }
  }
}
