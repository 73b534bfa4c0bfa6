// The rule-authoring API: functions that build typed rule definitions. Types flow from
// the key space (which kinds a rule reads), the context (what predicates may read) and the
// pattern (what each step captures) into every predicate and message; once built, a rule
// erases to the plain shapes of rule-types.ts that the engine runs.
import type { DurationMs, EventKind, EventOf } from '../events/types.ts';
import type { JsonValue } from './json.ts';
import type {
  AnyRule, Captures, CaptureOf, ContextDef, CorrelationRule, CorrelationRole, KeySpace, MeasureSpec, PatternStep,
  Quantifier, QuantifierShape, RuleMeta, SequenceRule, SkipStrategy, StepPredicate, ThresholdRule, UnorderedSkipStrategy, WindowSpec,
} from './rule-types.ts';

type Simplify<T> = { [P in keyof T]: T[P] } & {};

// ---------------------------------------------------------------------------------
// Keys and context

type KeyInput = { readonly [P in EventKind]?: (e: EventOf<P>) => string | null };

/**
 * Declares how the streams a rule reads are keyed, e.g.
 * `keyBy('account', { login: (e) => e.account, transfer: (e) => e.account })`.
 * Rules sharing a key space share its per-key context.
 */
export function keyBy<const KS extends KeyInput>(name: string, keys: KS): KeySpace<Extract<keyof KS, EventKind>> {
  return { name, keys: keys as unknown as KeySpace<Extract<keyof KS, EventKind>>['keys'] };
}

export interface ContextInput<C> {
  readonly id: string;
  readonly initial: () => C;
  readonly fold: { readonly [P in EventKind]?: (ctx: C, e: EventOf<P>) => C };
  readonly snapshot?: (ctx: C) => JsonValue;
}

/**
 * Declares per-key state folded from every event of the key space. Predicates see the
 * context as it was before the event being matched; the event is folded in afterwards.
 */
export function defineContext<C>(def: ContextInput<C>): ContextDef<C> {
  return def as ContextDef<C>;
}

// ---------------------------------------------------------------------------------
// Quantifiers

/** Exactly one event (the default). Captures one event. */
export const one = (): Quantifier<'one'> => ({ shape: 'one', min: 1, max: 1 });
/** Zero or one event. Captures `E | undefined`. Not allowed as the first or last step. */
export const optional = (): Quantifier<'optional'> => ({ shape: 'optional', min: 0, max: 1 });
/** Exactly `n` events, or `n..m` events. Captures an array. */
export const times = (n: number, m: number = n): Quantifier<'many'> => ({ shape: 'many', min: n, max: m });
/** One or more events, at most `max` (a bound keeps partial matches bounded). Captures an array. */
export const oneOrMore = (max: number): Quantifier<'many'> => ({ shape: 'many', min: 1, max });

// ---------------------------------------------------------------------------------
// Sequences

type Capture<N extends string, E, S extends QuantifierShape> = { readonly [X in N]: CaptureOf<E, S> };

/** A pattern under construction; `M` is the typed view of its captures. */
export interface Pattern<K extends EventKind, C, M> {
  readonly steps: readonly PatternStep[];
  /** Strict contiguity: the step's events follow the previous matched event with no event in between. */
  next<N extends string, P extends K, S extends QuantifierShape = 'one'>(
    name: N, kind: P, where?: StepPredicate<EventOf<P>, M, C>, quantifier?: Quantifier<S>,
  ): Pattern<K, C, Simplify<M & Capture<N, EventOf<P>, S>>>;
  /**
   * Relaxed contiguity (skip till next match): other events may come in between, but an
   * event the partial match can take is taken, never skipped. No combinatorial explosion.
   */
  followedBy<N extends string, P extends K, S extends QuantifierShape = 'one'>(
    name: N, kind: P, where?: StepPredicate<EventOf<P>, M, C>, quantifier?: Quantifier<S>,
  ): Pattern<K, C, Simplify<M & Capture<N, EventOf<P>, S>>>;
  /**
   * Non-deterministic relaxed contiguity (skip till any match): matching events may be
   * skipped too, so every combination is tried. Bounded by maxPartialMatches; prefer followedBy.
   */
  followedByAny<N extends string, P extends K, S extends QuantifierShape = 'one'>(
    name: N, kind: P, where?: StepPredicate<EventOf<P>, M, C>, quantifier?: Quantifier<S>,
  ): Pattern<K, C, Simplify<M & Capture<N, EventOf<P>, S>>>;
  /**
   * Absence: no matching event between the previous step's last event and the next step's
   * first event; as the last step, none until `within` after the match's first event.
   */
  notFollowedBy<N extends string, P extends K>(name: N, kind: P, where?: StepPredicate<EventOf<P>, M, C>): Pattern<K, C, M>;
}

export interface PatternStart<K extends EventKind, C> {
  begin<N extends string, P extends K, S extends QuantifierShape = 'one'>(
    name: N, kind: P, where?: StepPredicate<EventOf<P>, Record<never, never>, C>, quantifier?: Quantifier<S>,
  ): Pattern<K, C, Capture<N, EventOf<P>, S>>;
}

function makePattern(steps: readonly PatternStep[]): Pattern<EventKind, unknown, Captures> {
  const positive = (contiguity: 'strict' | 'relaxed' | 'any') =>
    (name: string, kind: EventKind, where?: StepPredicate<never, never, unknown>, quantifier?: Quantifier) =>
      makePattern([...steps, {
        type: 'step', name, kind, contiguity, quantifier: quantifier ?? one(),
        where: where as PatternStep['where'],
      }]);
  return {
    steps,
    next: positive('strict'),
    followedBy: positive('relaxed'),
    followedByAny: positive('any'),
    notFollowedBy: (name: string, kind: EventKind, where?: StepPredicate<never, never, unknown>) =>
      makePattern([...steps, { type: 'absent', name, kind, where: where as PatternStep['where'] }]),
  } as Pattern<EventKind, unknown, Captures>;
}

const patternStart: PatternStart<EventKind, unknown> = {
  begin: ((name: string, kind: EventKind, where?: StepPredicate<never, never, unknown>, quantifier?: Quantifier) =>
    makePattern([{ type: 'step', name, kind, contiguity: 'relaxed', quantifier: quantifier ?? one(), where: where as PatternStep['where'] }])
  ) as PatternStart<EventKind, unknown>['begin'],
};

export interface SequenceInput<K extends EventKind, C, M, S extends string = SkipStrategy> extends RuleMeta {
  readonly key: KeySpace<K>;
  readonly context?: ContextDef<C>;
  /** Mandatory bound: last event time minus first event time is at most `within`. */
  readonly within: DurationMs;
  /**
   * After-match skip strategy (see SkipStrategy). `skip-to-first(step)` and
   * `skip-to-last(step)` name a step of the pattern: another name does not compile.
   */
  readonly skip: S;
  readonly pattern: (p: PatternStart<K, C>) => Pattern<K, C, M> & NoInfer<SkipNamesAStep<S, M>>;
  readonly message?: (m: M, ctx: C, key: string) => string;
}

/** The step a `skip-to-first(step)` / `skip-to-last(step)` names. */
type SkipStep<S> = S extends `skip-to-${'first' | 'last'}(${infer N})` ? N : never;
/**
 * Refuses at compile time a skip strategy naming a step the pattern does not have: the
 * pattern must then carry a property it cannot have, and the error shows the name. It sits on
 * the pattern's result, under NoInfer, because a check on `skip` itself would be evaluated
 * before the pattern's captures are inferred. A strategy only known as a string passes (the
 * validator checks it when the rule loads).
 */
type SkipNamesAStep<S, M> = [SkipStep<S>] extends [keyof M] ? unknown : string extends SkipStep<S> ? unknown : { readonly 'skip names a step this pattern does not have': SkipStep<S> };

/** A sequence rule: named steps over typed predicates, within a time bound. */
export function sequence<K extends EventKind, M, C = undefined, const S extends SkipStrategy = SkipStrategy>(
  def: SequenceInput<K, C, M, S>,
): SequenceRule {
  const built: Pattern<K, C, M> = def.pattern(patternStart as unknown as PatternStart<K, C>);
  return {
    kind: 'sequence', ...meta(def), key: def.key as KeySpace, context: def.context as ContextDef<unknown> | undefined,
    steps: built.steps, within: def.within, skip: def.skip,
    message: def.message as SequenceRule['message'],
  };
}

// ---------------------------------------------------------------------------------
// Thresholds

export const tumbling = (size: DurationMs): WindowSpec => ({ type: 'tumbling', size });
/** Exact event-time sliding window: evaluated at every event over (t - size, t]. */
export const sliding = (size: DurationMs): WindowSpec => ({ type: 'sliding', size });
export const session = (gap: DurationMs): WindowSpec => ({ type: 'session', gap });

export interface MeasureBuilder<E> {
  count(): MeasureSpec<E>;
  sum(value: (e: E) => number): MeasureSpec<E>;
  avg(value: (e: E) => number): MeasureSpec<E>;
  min(value: (e: E) => number): MeasureSpec<E>;
  max(value: (e: E) => number): MeasureSpec<E>;
  /** Population standard deviation. */
  stddev(value: (e: E) => number): MeasureSpec<E>;
  distinct(value: (e: E) => string | number): MeasureSpec<E>;
  /** Exponentially weighted moving average over the window's events in time order. */
  ewma(value: (e: E) => number, alpha: number): MeasureSpec<E>;
}

const measureBuilder: MeasureBuilder<never> = {
  count: () => ({ op: 'count' }),
  sum: (value) => ({ op: 'sum', value }),
  avg: (value) => ({ op: 'avg', value }),
  min: (value) => ({ op: 'min', value }),
  max: (value) => ({ op: 'max', value }),
  stddev: (value) => ({ op: 'stddev', value }),
  distinct: (value) => ({ op: 'distinct', value }),
  ewma: (value, alpha) => ({ op: 'ewma', value, alpha }),
};

export type AggregatesOf<MS> = { readonly [P in keyof MS]: number };

export interface ThresholdInput<K extends EventKind, C, P extends K, MS> extends RuleMeta {
  readonly key: KeySpace<K>;
  readonly context?: ContextDef<C>;
  readonly on: P;
  readonly where?: (e: EventOf<P>, ctx: C) => boolean;
  readonly window: WindowSpec;
  readonly measures: (m: MeasureBuilder<EventOf<P>>) => MS;
  readonly when: (a: AggregatesOf<MS>, ctx: C) => boolean;
  /**
   * For sliding windows: whether the events of an alert can count again: `no-skip` (they
   * can), `skip-past-last-event` (default) or `skip-overlapping` (they cannot; for a window
   * the two are the same). Tumbling and session windows never overlap: it changes nothing.
   */
  readonly skip?: UnorderedSkipStrategy;
  readonly message?: (a: AggregatesOf<MS>, ctx: C, key: string) => string;
}

/** A threshold rule: a windowed aggregate per key and a condition on it. */
export function threshold<K extends EventKind, P extends K, MS extends Readonly<Record<string, MeasureSpec<EventOf<P>>>>, C = undefined>(
  def: ThresholdInput<K, C, P, MS>,
): ThresholdRule {
  return {
    kind: 'threshold', ...meta(def), key: def.key as KeySpace, context: def.context as ContextDef<unknown> | undefined,
    on: def.on, where: def.where as ThresholdRule['where'], window: def.window,
    measures: def.measures(measureBuilder as unknown as MeasureBuilder<EventOf<P>>) as unknown as ThresholdRule['measures'],
    when: def.when as unknown as ThresholdRule['when'], skip: def.skip ?? 'skip-past-last-event',
    message: def.message as unknown as ThresholdRule['message'],
  };
}

// ---------------------------------------------------------------------------------
// Correlations

export interface Roles<K extends EventKind, C, M> {
  readonly roles: readonly CorrelationRole[];
  role<N extends string, P extends K>(name: N, kind: P, where?: (e: EventOf<P>, ctx: C) => boolean): Roles<K, C, Simplify<M & { readonly [X in N]: EventOf<P> }>>;
}

function makeRoles(roles: readonly CorrelationRole[]): Roles<EventKind, unknown, Captures> {
  return {
    roles,
    role: (name: string, kind: EventKind, where?: (e: never, ctx: unknown) => boolean) =>
      makeRoles([...roles, { name, kind, where: where as CorrelationRole['where'] }]),
  } as Roles<EventKind, unknown, Captures>;
}

export interface CorrelationInput<K extends EventKind, C, M> extends RuleMeta {
  readonly key: KeySpace<K>;
  readonly context?: ContextDef<C>;
  readonly within: DurationMs;
  /** `any`: the events may come in any order; `ordered`: in the order the roles are declared. */
  readonly order: 'any' | 'ordered';
  /** `no-skip`, `skip-past-last-event` or `skip-overlapping` (a correlation has no steps to skip to). */
  readonly skip: UnorderedSkipStrategy;
  readonly events: (r: Roles<K, C, Record<never, never>>) => Roles<K, C, M>;
  readonly message?: (m: M, ctx: C, key: string) => string;
}

/** A correlation: one event per role, joined on the key within a time bound. */
export function correlate<K extends EventKind, M, C = undefined>(def: CorrelationInput<K, C, M>): CorrelationRule {
  const built = def.events(makeRoles([]) as unknown as Roles<K, C, Record<never, never>>);
  return {
    kind: 'correlation', ...meta(def), key: def.key as KeySpace, context: def.context as ContextDef<unknown> | undefined,
    roles: built.roles, order: def.order, within: def.within, skip: def.skip,
    message: def.message as CorrelationRule['message'],
  };
}

function meta(def: RuleMeta): RuleMeta {
  return { id: def.id, version: def.version, severity: def.severity, description: def.description, tags: def.tags ?? [] };
}

export type { AnyRule };
