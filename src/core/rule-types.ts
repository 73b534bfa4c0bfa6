// The shapes of rule definitions as rule authors build them (see rule-api.ts) and as the
// engine reads them. Typing flows from the key space (which event kinds a rule reads) and
// the context (what predicates may read) into every predicate and capture.
import type { AnyEvent, DurationMs, EventKind, EventOf } from '../events/types.ts';
import type { JsonValue } from './json.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** After-match skip strategies by name; `skip-to-first` and `skip-to-last` name a step: `skip-to-last(failures)`. */
export const SKIP_STRATEGIES = ['no-skip', 'skip-past-last-event', 'skip-overlapping', 'skip-to-next', 'skip-to-first', 'skip-to-last'] as const;
export type SkipStrategyName = (typeof SKIP_STRATEGIES)[number];

/**
 * After-match skip strategy: what happens to the other candidates when a match is decided
 * (at its completing event, or at its deadline for a trailing absence). See docs/rules.md.
 * - `no-skip`: every match is emitted; partial matches are kept.
 * - `skip-past-last-event` (Flink SKIP_PAST_LAST_EVENT): every partial match that started at
 *   or before the match's last event is discarded, whether or not it shares an event with it.
 * - `skip-overlapping` (Esper @SuppressOverlappingMatches @DiscardPartialsOnMatch): of the
 *   matches completed by one event only the earliest-started is emitted, and every partial
 *   match sharing an event with any of them is discarded; the others survive. Each event is
 *   in at most one alert of the rule.
 * - `skip-to-next` (Flink SKIP_TO_NEXT): partial matches that started with the match's first
 *   event are discarded.
 * - `skip-to-first(step)` / `skip-to-last(step)` (Flink SKIP_TO_FIRST / SKIP_TO_LAST): partial
 *   matches that started before the first / last event the match took into `step` are
 *   discarded (nothing is, when the match took none).
 */
export type SkipStrategy<Step extends string = string> =
  | 'no-skip' | 'skip-past-last-event' | 'skip-overlapping' | 'skip-to-next'
  | `skip-to-first(${Step})` | `skip-to-last(${Step})`;

/** The strategies of rules that hold no steps (thresholds' sliding windows, correlations). */
export type UnorderedSkipStrategy = 'no-skip' | 'skip-past-last-event' | 'skip-overlapping';

/** A strategy split into its name and step (or undefined when the text is not a strategy). */
export function parseSkip(skip: string): { readonly name: SkipStrategyName; readonly step: string | undefined } | undefined {
  const m = /^(skip-to-first|skip-to-last)\((.+)\)$/.exec(skip);
  if (m !== null) return { name: m[1] as SkipStrategyName, step: m[2] as string };
  return (SKIP_STRATEGIES as readonly string[]).includes(skip) && skip !== 'skip-to-first' && skip !== 'skip-to-last'
    ? { name: skip as SkipStrategyName, step: undefined } : undefined;
}

export interface RuleMeta {
  /** Stable, unique, kebab-case id, e.g. `account-takeover`. */
  readonly id: string;
  /** Bump when the rule's meaning changes: it is part of every alert id. */
  readonly version: number;
  readonly severity: Severity;
  readonly description: string;
  readonly tags?: readonly string[];
}

/**
 * Set on rules built by a factory of the rule library (`cepheus/rules`): which factory, with
 * which parameters as given. Backtest sweeps rebuild the rule from it with one parameter changed.
 */
export interface RuleOrigin {
  readonly factory: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** Key extractors per event kind: returns the key, or null when the event has none. */
export type KeyExtractors<K extends EventKind> = { readonly [P in K]: (e: EventOf<P>) => string | null };

/** How a rule's input streams are keyed. State lives per (rule, key). */
export interface KeySpace<K extends EventKind = EventKind> {
  readonly name: string;
  readonly keys: KeyExtractors<K>;
}

/** Per-key typed state folded from every event of the key space, read by predicates. */
export interface ContextDef<C, K extends EventKind = EventKind> {
  readonly id: string;
  readonly initial: () => C;
  readonly fold: { readonly [P in K]?: (ctx: C, e: EventOf<P>) => C };
  /** JSON view of the context, snapshotted into alerts. Defaults to a deep JSON copy. */
  readonly snapshot?: (ctx: C) => JsonValue;
}

// ---------------------------------------------------------------------------------
// Sequences

export type QuantifierShape = 'one' | 'optional' | 'many';
export interface Quantifier<S extends QuantifierShape = QuantifierShape> {
  readonly shape: S;
  readonly min: number;
  readonly max: number;
}

/** What a step captures: one event, maybe one, or an array (for counted steps). */
export type CaptureOf<E, S extends QuantifierShape> = S extends 'one' ? E : S extends 'optional' ? E | undefined : readonly E[];

/**
 * How a step's events relate to the previous matched event:
 * - `strict`: it is the very next event (of the rule's kinds, for this key);
 * - `relaxed` (skip till next match): events in between are skipped only if the partial
 *   match could not take them: a matching event is always taken;
 * - `any` (skip till any match): matching events may be skipped too, so every combination
 *   is a candidate; use sparingly, partial matches grow quickly.
 */
export type Contiguity = 'strict' | 'relaxed' | 'any';

/** A predicate over the candidate event, the captures so far, and the key's context. */
export type StepPredicate<E, M, C> = (e: E, m: M, ctx: C) => boolean;

export interface PositiveStep {
  readonly type: 'step';
  readonly name: string;
  readonly kind: EventKind;
  readonly contiguity: Contiguity;
  readonly quantifier: Quantifier;
  readonly where: StepPredicate<AnyEvent, Captures, unknown> | undefined;
}
export interface AbsentStep {
  readonly type: 'absent';
  readonly name: string;
  readonly kind: EventKind;
  readonly where: StepPredicate<AnyEvent, Captures, unknown> | undefined;
}
export type PatternStep = PositiveStep | AbsentStep;

/** Captures as the engine holds them; authors see a typed view built from the pattern. */
export type Captures = Readonly<Record<string, AnyEvent | readonly AnyEvent[] | undefined>>;

export interface SequenceRule extends RuleMeta {
  readonly origin?: RuleOrigin;
  readonly kind: 'sequence';
  readonly key: KeySpace;
  readonly context: ContextDef<unknown> | undefined;
  readonly steps: readonly PatternStep[];
  readonly within: DurationMs;
  readonly skip: SkipStrategy;
  readonly message: ((m: Captures, ctx: unknown, key: string) => string) | undefined;
}

// ---------------------------------------------------------------------------------
// Thresholds

export type WindowSpec =
  | { readonly type: 'tumbling'; readonly size: DurationMs }
  | { readonly type: 'sliding'; readonly size: DurationMs }
  | { readonly type: 'session'; readonly gap: DurationMs };

export type MeasureSpec<E> =
  | { readonly op: 'count' }
  | { readonly op: 'sum' | 'avg' | 'min' | 'max' | 'stddev'; readonly value: (e: E) => number }
  | { readonly op: 'distinct'; readonly value: (e: E) => string | number }
  | { readonly op: 'ewma'; readonly value: (e: E) => number; readonly alpha: number };

export type Aggregates<MS> = { readonly [P in keyof MS]: number };

export interface ThresholdRule extends RuleMeta {
  readonly origin?: RuleOrigin;
  readonly kind: 'threshold';
  readonly key: KeySpace;
  readonly context: ContextDef<unknown> | undefined;
  readonly on: EventKind;
  readonly where: ((e: AnyEvent, ctx: unknown) => boolean) | undefined;
  readonly window: WindowSpec;
  readonly measures: Readonly<Record<string, MeasureSpec<AnyEvent>>>;
  readonly when: (a: Readonly<Record<string, number>>, ctx: unknown) => boolean;
  readonly skip: SkipStrategy;
  readonly message: ((a: Readonly<Record<string, number>>, ctx: unknown, key: string) => string) | undefined;
}

// ---------------------------------------------------------------------------------
// Correlations

export interface CorrelationRole {
  readonly name: string;
  readonly kind: EventKind;
  readonly where: ((e: AnyEvent, ctx: unknown) => boolean) | undefined;
}

export interface CorrelationRule extends RuleMeta {
  readonly origin?: RuleOrigin;
  readonly kind: 'correlation';
  readonly key: KeySpace;
  readonly context: ContextDef<unknown> | undefined;
  readonly roles: readonly CorrelationRole[];
  /** `any`: roles in any time order; `ordered`: in declaration order. */
  readonly order: 'any' | 'ordered';
  readonly within: DurationMs;
  readonly skip: SkipStrategy;
  readonly message: ((m: Captures, ctx: unknown, key: string) => string) | undefined;
}

/**
 * A rule as the engine reads it: the typed definitions of rule-api.ts erase to these
 * shapes once built, so lists of rules of any kind, key space and context are plain data.
 */
export type AnyRule = SequenceRule | ThresholdRule | CorrelationRule;
