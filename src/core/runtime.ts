// Runtime shapes shared by the engine and its operators. Hot-path objects are small
// classes with fixed fields so V8 keeps one shape per kind of object.
import type { AnyEvent, EventKind, SourceRef } from '../events/types.ts';
import type { MatchedStep } from './alert.ts';
import type { Observer } from './explain/observer.ts';
import type { AnyRule } from './rule-types.ts';
import type { OperatorView } from './state-view.ts';

/** One event as the engine holds it: the event, where it came from, its tie-break rank. */
export class Ingested {
  readonly event: AnyEvent;
  readonly source: SourceRef | null;
  /** eventRank(event.id): orders events with equal event time (see order.ts). */
  readonly rank: number;
  constructor(event: AnyEvent, source: SourceRef | null, rank: number) {
    this.event = event;
    this.source = source;
    this.rank = rank;
  }
}

/** A (rule, key) pair's state. `op` is the operator's own state object. */
export class RuleKeyState {
  readonly rule: CompiledRule;
  readonly key: string;
  readonly keyState: KeyState;
  op: unknown;
  /** Events of the rule's kinds seen at this key: positions for strict contiguity. */
  seq: number;
  /** Time of this state's live timer entry, or -Infinity when none is scheduled. */
  timerAt: number;
  /** Tie-break order of that timer entry among timers due at the same time. */
  timerSeq: number;
  /** Set when the key is evicted: stale timers then do nothing. */
  dead: boolean;
  constructor(rule: CompiledRule, key: string, keyState: KeyState, op: unknown) {
    this.rule = rule;
    this.key = key;
    this.keyState = keyState;
    this.op = op;
    this.seq = 0;
    this.timerAt = -Infinity;
    this.timerSeq = 0;
    this.dead = false;
  }
}

/** A timer entry: wakes `rs` at `at`; stale once rs.timerAt moved (see Engine.fire). */
export class Timer {
  readonly at: number;
  /** Tie-break order among timers due at the same time. */
  readonly seq: number;
  readonly rs: RuleKeyState;
  constructor(at: number, seq: number, rs: RuleKeyState) {
    this.at = at;
    this.seq = seq;
    this.rs = rs;
  }
}

/**
 * The rule slots of a key holding no rule state (a new key, an idle one: engine/keys.ts), and
 * the contexts of a key space without any: shared, so such a key costs no array of its own.
 * Frozen: a write meant for a key's own slots fails loudly (see setRuleState).
 */
export const NO_RULES: (RuleKeyState | undefined)[] = Object.freeze([]) as unknown as (RuleKeyState | undefined)[];
export const NO_CONTEXTS: unknown[] = Object.freeze([]) as unknown as unknown[];

/**
 * Everything held for one key of one key space: context values and per-rule states, and its
 * place in its key group's recency list (engine/keys.ts: least recently active first).
 */
export class KeyState {
  readonly key: string;
  lastSeen: number;
  readonly ctx: unknown[];
  /** By CompiledRule.local; NO_RULES while the key holds no rule state. */
  rules: (RuleKeyState | undefined)[];
  /** keyGroupOf(key): the group whose budget and recency list the key is in. */
  readonly group: number;
  /** Neighbours in the group's recency list (prev: less recently active). */
  prev: KeyState | null;
  next: KeyState | null;
  constructor(key: string, ctx: unknown[], group: number) {
    this.key = key;
    this.lastSeen = -Infinity;
    this.ctx = ctx;
    this.rules = NO_RULES;
    this.group = group;
    this.prev = null;
    this.next = null;
  }
}

/** Puts `rs` in its slot at the key, giving the key slots for its space's `count` rules first when it has none. */
export function setRuleState(ks: KeyState, local: number, count: number, rs: RuleKeyState): void {
  if (ks.rules === NO_RULES) ks.rules = new Array<RuleKeyState | undefined>(count).fill(undefined);
  ks.rules[local] = rs;
}

/**
 * What an operator found, for the engine to turn into an alert (adding the rule, the key,
 * its id and the context snapshot). One per alert, never per event.
 */
export class Match {
  /** The events, by step (sequence), role (correlation) or 'window' (threshold). */
  readonly matched: readonly MatchedStep[];
  readonly firstTs: number;
  readonly lastTs: number;
  /** Event time at which the match was decided (an event's, or a deadline's). */
  readonly detectedAt: number;
  readonly aggregates: Readonly<Record<string, number>>;
  readonly message: string;
  /** Makes the alert id differ between matches of the same events ('' when they cannot). */
  readonly salt: string;
  constructor(matched: readonly MatchedStep[], firstTs: number, lastTs: number, detectedAt: number,
    aggregates: Readonly<Record<string, number>>, message: string, salt: string) {
    this.matched = matched;
    this.firstTs = firstTs;
    this.lastTs = lastTs;
    this.detectedAt = detectedAt;
    this.aggregates = aggregates;
    this.message = message;
    this.salt = salt;
  }
}

/** What an operator may ask of the engine while it handles an event or a timer. */
export interface OperatorHost {
  alert(rs: RuleKeyState, match: Match): void;
  overflow(rs: RuleKeyState, dropped: number): void;
  schedule(rs: RuleKeyState, at: number): void;
  /** The current context value for the rule's context at this key (undefined without one). */
  context(rs: RuleKeyState): unknown;
  /** Latest watermark: no on-time event is older than this. */
  readonly watermark: number;
}

/**
 * Rebuilds the Ingested objects of snapshot data, once each: an event held by several rules
 * of a key, or by several runs, is one object after a restore as it was before.
 */
export class Reviver {
  private readonly seen = new Map<unknown, Ingested>();

  ingested(data: unknown): Ingested {
    let it = this.seen.get(data);
    if (it === undefined) {
      const d = data as Ingested;
      it = new Ingested(d.event, d.source, d.rank);
      this.seen.set(data, it);
    }
    return it;
  }

  /** A list of them, as a fresh array (a cloned one may have another elements kind). */
  list(data: readonly unknown[]): Ingested[] {
    const out: Ingested[] = [];
    for (let i = 0; i < data.length; i++) out.push(this.ingested(data[i]));
    return out;
  }
}

/**
 * One rule kind's matching logic. Its state is data a structured clone can copy (fields
 * only, no functions), held in small classes so V8 sees one shape per kind of object.
 */
export interface Operator {
  create(): unknown;
  /**
   * The state a snapshot held (`create()`'s, after a structured clone: plain objects),
   * rebuilt with the classes, field order and sharing of fresh state.
   */
  restore(data: unknown, reviver: Reviver): unknown;
  onEvent(rs: RuleKeyState, item: Ingested, seqNo: number, host: OperatorHost): void;
  /** A timer this state scheduled is due: everything with a deadline <= at is decided. */
  onTimer(rs: RuleKeyState, at: number, host: OperatorHost): void;
  /** Drops what can no longer match (everything before `horizon`); true when nothing is left. */
  prune(rs: RuleKeyState, horizon: number): boolean;
  /** Partial matches (or buffered window events) held. */
  held(rs: RuleKeyState): number;
  /** What the state holds, as data; without what prune(rs, horizon) would drop. */
  inspect(rs: RuleKeyState, horizon: number): OperatorView;
}

export interface CompiledRule {
  readonly index: number;
  /** Index among the rules of its key space (slot in KeyState.rules). */
  readonly local: number;
  readonly rule: AnyRule;
  readonly kinds: ReadonlySet<EventKind>;
  readonly op: Operator;
  /** Index of the rule's context in its key space's context list, or -1. */
  readonly ctxIndex: number;
  /** The explain observer of the rule being explained; undefined on the normal path. */
  readonly observer: Observer | undefined;
  enabled: boolean;
  readonly stats: RuleStats;
}

export interface RuleStats {
  eventsSeen: number;
  alerts: number;
  errors: number;
  overflowDropped: number;
}

export interface StateBounds {
  /** Max partial matches held per (rule, key); the oldest are dropped beyond it. */
  readonly maxPartialMatches: number;
  /** Max events a threshold window holds per (rule, key); the oldest are dropped beyond it. */
  readonly maxWindowEvents: number;
}
