// Recent trouble per key, for the state routes: the last late events and overflow drops of
// each key, kept from the effects a runner drains. Bounded: RECENT per key, KEYS keys (the
// least recently touched key goes first).
import type { Effect } from '../core/effects.ts';
import type { AnyRule } from '../core/rule-types.ts';
import type { RecentIssues } from '../core/state-view.ts';
import type { AnyEvent } from '../events/types.ts';

const RECENT = 20;
const KEYS = 10_000;

interface Slot {
  late: { event: AnyEvent; watermark: number }[];
  overflow: { ruleId: string; dropped: number; watermark: number | null }[];
}

export class RecentKeyIssues {
  private readonly rules: readonly AnyRule[];
  /** By `keySpace \0 key`, in least recently touched first order. */
  private readonly slots = new Map<string, Slot>();

  constructor(rules: readonly AnyRule[]) {
    this.rules = rules;
  }

  private slot(space: string, key: string): Slot {
    const id = `${space}\u0000${key}`;
    let s = this.slots.get(id);
    if (s !== undefined) this.slots.delete(id);
    else s = { late: [], overflow: [] };
    this.slots.set(id, s);
    if (this.slots.size > KEYS) this.slots.delete(this.slots.keys().next().value as string);
    return s;
  }

  /** Keeps late and overflow effects (others are ignored); `watermark` is the engine's when drained. */
  record(f: Effect, watermark: number): void {
    if (f.kind === 'late') {
      const seen = new Set<string>();
      for (const r of this.rules) {
        const extract = (r.key.keys as Record<string, ((e: AnyEvent) => string | null) | undefined>)[f.event.kind];
        if (extract === undefined) continue;
        let key: string | null = null;
        try {
          key = extract(f.event);
        } catch {
          continue;
        }
        if (key === null || key === '' || seen.has(`${r.key.name}\u0000${key}`)) continue;
        seen.add(`${r.key.name}\u0000${key}`);
        push(this.slot(r.key.name, key).late, { event: f.event, watermark: f.watermark });
      }
    } else if (f.kind === 'overflow') {
      const rule = this.rules.find((r) => r.id === f.ruleId);
      if (rule !== undefined) push(this.slot(rule.key.name, f.key).overflow, { ruleId: f.ruleId, dropped: f.dropped, watermark: Number.isFinite(watermark) ? watermark : null });
    }
  }

  /** The key's recent issues in the rule's key space (overflow of that rule only). */
  of(rule: AnyRule, key: string): RecentIssues {
    const s = this.slots.get(`${rule.key.name}\u0000${key}`);
    return { late: s?.late ?? [], overflow: (s?.overflow ?? []).filter((o) => o.ruleId === rule.id) };
  }
}

/** The recent issues of one key as several shards saw them, as one (the latest RECENT of each kind). */
export function mergeRecent(parts: readonly RecentIssues[]): RecentIssues {
  const late = parts.flatMap((p) => p.late).sort((a, b) => a.event.ts - b.event.ts || (a.event.id < b.event.id ? -1 : 1)).slice(-RECENT);
  const overflow = parts.flatMap((p) => p.overflow).sort((a, b) => (a.watermark ?? -Infinity) - (b.watermark ?? -Infinity)).slice(-RECENT);
  return { late, overflow };
}

function push<T>(list: T[], x: T): void {
  list.push(x);
  if (list.length > RECENT) list.shift();
}
