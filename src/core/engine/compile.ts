// Rules compiled once, before the first event, into what the hot path walks:
//
//   key space (one per KeySpace object, in first-use order)
//     contexts: shared by id, slot i of each key's `ctx`
//     rules:    slot `local` of each key's `rules`, each with its operator
//   routes[kind]: per key space reading that kind: its key extractor, the rules reading the
//                 kind (rule order) and the context folds it feeds (context order)
//
// All of it is fixed once compiled, except each space's key map, which holds the state, and
// its ring (keys.ts): the keys by recency, per key group, and the space's key budget.
import type { AnyEvent, EventKind } from '../../events/types.ts';
import { correlationOperator } from '../correlation-operator.ts';
import type { Observer } from '../explain/observer.ts';
import type { AnyRule, ContextDef, KeySpace, PatternStep } from '../rule-types.ts';
import type { CompiledRule, KeyState, Operator, StateBounds } from '../runtime.ts';
import { sequenceOperator } from '../sequence/operator.ts';
import { thresholdOperator } from '../threshold-operator.ts';
import { KeyRing, budgetOf } from './keys.ts';
import type { KeyBudget } from './keys.ts';

export interface Space {
  readonly space: KeySpace;
  /** The state: one entry per live key. */
  readonly keys: Map<string, KeyState>;
  /** The same keys by recency, and the budget (keys.ts). */
  readonly ring: KeyRing;
  readonly contexts: readonly ContextDef<unknown>[];
  readonly rules: readonly CompiledRule[];
}

export interface Fold {
  readonly index: number;
  readonly fold: (ctx: unknown, e: AnyEvent) => unknown;
}

/** What one event kind touches in one key space. */
export interface Route {
  readonly space: Space;
  readonly extract: (e: AnyEvent) => string | null;
  readonly rules: readonly CompiledRule[];
  readonly folds: readonly Fold[];
}

export type Routes = Readonly<Partial<Record<EventKind, readonly Route[]>>>;

export interface Compiled {
  /** In the order given. */
  readonly rules: readonly CompiledRule[];
  readonly spaces: readonly Space[];
  /** The key space of each rule, by rule index. */
  readonly ruleSpace: readonly Space[];
  readonly routes: Routes;
}

/** A space while rules are added to it. */
interface Draft {
  readonly out: Space;
  readonly contexts: ContextDef<unknown>[];
  readonly rules: CompiledRule[];
  readonly rulesByKind: Map<EventKind, CompiledRule[]>;
}

/** Compiles validated rules (see validate.ts). */
/** The rule to explain and who hears it (see explain/observer.ts); the other rules run unobserved. */
export interface Explained {
  readonly ruleId: string;
  readonly observer: Observer;
}

export function compile(rules: readonly AnyRule[], bounds: StateBounds & KeyBudget, explained?: Explained): Compiled {
  const drafts: Draft[] = [];
  const compiled: CompiledRule[] = [];
  const ruleSpace: Space[] = [];
  const names = [...new Set(rules.map((r) => r.key.name))];
  const budgets = budgetOf(names, bounds);
  rules.forEach((rule, index) => {
    let d = drafts.find((s) => s.out.space === rule.key);
    if (d === undefined) {
      const contexts: ContextDef<unknown>[] = [];
      const spaceRules: CompiledRule[] = [];
      const ring = new KeyRing(bounds.keyGroups, budgets[names.indexOf(rule.key.name)] as number);
      d = { out: { space: rule.key, keys: new Map(), ring, contexts, rules: spaceRules }, contexts, rules: spaceRules, rulesByKind: new Map() };
      drafts.push(d);
    }
    let ctxIndex = -1;
    if (rule.context !== undefined) {
      ctxIndex = d.contexts.findIndex((c) => c === rule.context || c.id === rule.context?.id);
      if (ctxIndex < 0) {
        ctxIndex = d.contexts.length;
        d.contexts.push(rule.context);
      }
    }
    const observer = explained !== undefined && explained.ruleId === rule.id ? explained.observer : undefined;
    const cr: CompiledRule = {
      index, local: d.rules.length, rule, kinds: kindsOf(rule), op: operatorOf(rule, bounds, observer), ctxIndex, enabled: true, observer,
      stats: { eventsSeen: 0, alerts: 0, errors: 0, overflowDropped: 0 },
    };
    compiled.push(cr);
    d.rules.push(cr);
    ruleSpace[index] = d.out;
    for (const k of cr.kinds) {
      const list = d.rulesByKind.get(k) ?? [];
      list.push(cr);
      d.rulesByKind.set(k, list);
    }
  });
  const routes: Partial<Record<EventKind, Route[]>> = {};
  for (const d of drafts) {
    const space = d.out;
    const kinds = new Set<EventKind>([...Object.keys(space.space.keys)] as EventKind[]);
    const foldsByKind = new Map<EventKind, number[]>();
    d.contexts.forEach((c, ci) => {
      for (const k of Object.keys(c.fold) as EventKind[]) {
        if (!kinds.has(k)) continue;
        const list = foldsByKind.get(k) ?? [];
        list.push(ci);
        foldsByKind.set(k, list);
      }
    });
    for (const k of kinds) {
      if (!d.rulesByKind.has(k) && !foldsByKind.has(k)) continue;
      const extract = (space.space.keys as Record<string, (ev: AnyEvent) => string | null>)[k] as (ev: AnyEvent) => string | null;
      const folds = (foldsByKind.get(k) ?? []).map((index) => ({
        index, fold: ((d.contexts[index] as ContextDef<unknown>).fold as Record<string, (c: unknown, ev: AnyEvent) => unknown>)[k] as (c: unknown, ev: AnyEvent) => unknown,
      }));
      (routes[k] ??= []).push({ space, extract, rules: d.rulesByKind.get(k) ?? [], folds });
    }
  }
  return { rules: compiled, spaces: drafts.map((d) => d.out), ruleSpace, routes };
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

function operatorOf(rule: AnyRule, bounds: StateBounds, observer: Observer | undefined): Operator {
  switch (rule.kind) {
    case 'sequence': return sequenceOperator(rule, bounds, observer);
    case 'threshold': return thresholdOperator(rule, bounds, observer);
    case 'correlation': return correlationOperator(rule, bounds, observer);
    default: {
      const never: never = rule;
      throw new Error(`unknown rule ${JSON.stringify(never)}`);
    }
  }
}

/** Whether the engine owns at least one key of `e` (always, unsharded). Extractor errors count as no key. */
export function ownsAnyKeyOf(routes: Routes, owns: ((keySpace: string, key: string) => boolean) | undefined, e: AnyEvent): boolean {
  if (owns === undefined) return true;
  const list = routes[e.kind];
  if (list === undefined) return false;
  for (const route of list) {
    let key: string | null;
    try {
      key = route.extract(e);
    } catch {
      continue;
    }
    if (key !== null && key !== undefined && key !== '' && owns(route.space.space.name, key)) return true;
  }
  return false;
}
