// What the engine tells about itself: rule counters, engine counters, and its queryable
// state for one (rule, key) as data (see state-view.ts). Pure: these read the state and change
// nothing; a key's state leaves out what a sweep would drop (before `horizon`), so the answer
// does not depend on when sweeps ran.
import type { AnyEvent } from '../../events/types.ts';
import type { AnyRule, ContextDef } from '../rule-types.ts';
import { toJson } from '../json.ts';
import type { CompiledRule, RuleStats } from '../runtime.ts';
import type { ContextView, KeyStateView, OperatorView } from '../state-view.ts';
import type { Compiled, Space } from './compile.ts';
import type { KeySpaceStats } from './keys.ts';

export interface RuleInfo {
  readonly id: string;
  readonly version: number;
  readonly kind: AnyRule['kind'];
  /** As the running rule says (a deployed bundle's, not the config's); absent from runners that do not say. */
  readonly severity?: AnyRule['severity'];
  readonly description?: string;
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
  /** Per key space: keys held, the budget (null: none) and keys evicted by it since this engine was built. */
  readonly spaces: readonly KeySpaceStats[];
}

export function ruleInfos(c: Compiled): RuleInfo[] {
  return c.rules.map((cr) => {
    let stateKeys = 0;
    let held = 0;
    for (const ks of (c.ruleSpace[cr.index] as Space).keys.values()) {
      const rs = ks.rules[cr.local];
      if (rs === undefined) continue;
      stateKeys++;
      held += cr.op.held(rs);
    }
    return { id: cr.rule.id, version: cr.rule.version, kind: cr.rule.kind, severity: cr.rule.severity, description: cr.rule.description, enabled: cr.enabled, stats: { ...cr.stats }, stateKeys, held };
  });
}

/** Explain mode: a late event reaches the observer of the explained rule when it has the explained key. */
export function noteLate(c: Compiled, cr: CompiledRule, owns: ((space: string, key: string) => boolean) | undefined, event: AnyEvent, watermark: number): void {
  const space = c.ruleSpace[cr.index] as Space;
  const extract = (space.space.keys as Record<string, ((e: AnyEvent) => string | null) | undefined>)[event.kind];
  if (!cr.kinds.has(event.kind) || extract === undefined) return;
  let key: string | null;
  try {
    key = extract(event);
  } catch {
    return;
  }
  if (key !== null && key !== '' && (owns === undefined || owns(space.space.name, key))) cr.observer?.note({ kind: 'late', event, watermark });
}

function empty(cr: CompiledRule): OperatorView {
  switch (cr.rule.kind) {
    case 'sequence': return { kind: 'sequence', partialMatches: [] };
    case 'threshold': return { kind: 'threshold', windows: [] };
    case 'correlation': return { kind: 'correlation', roles: cr.rule.roles.map((r) => ({ role: r.name, candidates: [] })) };
    default: {
      const never: never = cr.rule;
      throw new Error(`unknown rule ${JSON.stringify(never)}`);
    }
  }
}

export function inspectKey(cr: CompiledRule, space: Space, key: string, watermark: number, horizon: number): KeyStateView {
  const ks = space.keys.get(key);
  const rs = ks?.rules[cr.local];
  let context = null;
  if (cr.ctxIndex >= 0) {
    const def = space.contexts[cr.ctxIndex] as ContextDef<unknown>;
    // A key the engine does not hold would start from the initial context.
    const value = ks === undefined ? def.initial() : ks.ctx[cr.ctxIndex];
    context = def.snapshot ? def.snapshot(value) : toJson(value);
  }
  return {
    ruleId: cr.rule.id, ruleVersion: cr.rule.version, keySpace: space.space.name, key,
    watermark: Number.isFinite(watermark) ? watermark : null,
    lastSeen: ks === undefined || !Number.isFinite(ks.lastSeen) ? null : ks.lastSeen,
    context,
    state: rs === undefined ? empty(cr) : cr.op.inspect(rs, horizon),
  };
}

/**
 * A context of a key: in the first key space that folds a context with this id and holds the
 * key (else the first that folds it, at its initial value). Undefined when no space has it.
 */
export function contextOf(c: Compiled, key: string, contextId: string): ContextView | undefined {
  const spaces = c.spaces.filter((s) => s.contexts.some((d) => d.id === contextId));
  const space = spaces.find((s) => s.keys.has(key)) ?? spaces[0];
  if (space === undefined) return undefined;
  const i = space.contexts.findIndex((d) => d.id === contextId);
  const def = space.contexts[i] as ContextDef<unknown>;
  const ks = space.keys.get(key);
  const value = ks === undefined ? def.initial() : ks.ctx[i];
  return {
    contextId, keySpace: space.space.name, key,
    lastSeen: ks === undefined || !Number.isFinite(ks.lastSeen) ? null : ks.lastSeen,
    value: def.snapshot ? def.snapshot(value) : toJson(value),
  };
}
