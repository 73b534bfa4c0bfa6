// Queryable state: what an engine holds for one (rule, key), as JSON-safe data. The same views
// describe partial matches in explain's timeline, in the state routes of the API, and in the
// state an explain run ends with (a test holds the two equal for the same events).
import type { AnyEvent } from '../events/types.ts';
import type { JsonValue } from './json.ts';

/** A sequence's partial match (or a complete one waiting out a trailing absence). */
export interface PartialMatchView {
  /** Events taken so far, by positive step in pattern order (steps with none listed empty). */
  readonly steps: readonly { readonly step: string; readonly events: readonly AnyEvent[] }[];
  /** The steps the next event may be taken into (empty when complete). */
  readonly waitsFor: readonly string[];
  /** Its first event time + within: past it, it can no longer complete (or, complete, it is decided). */
  readonly deadline: number;
  /** An absence between two steps matched: it may still take events into its step, not advance. */
  readonly blocked: boolean;
  /** `complete`: every step is matched and it waits out the trailing absence until the deadline. */
  readonly status: 'partial' | 'complete';
}

export interface WindowView {
  /** [start, end) in event time; a sliding window is (t - size, t] at its last event t. */
  readonly start: number;
  readonly end: number;
  readonly events: readonly AnyEvent[];
  /** The rule's measures over the events, as `when` would see them now. */
  readonly aggregates: Readonly<Record<string, number | null>>;
}

export interface RoleView {
  readonly role: string;
  /** Events that passed the role's predicate and may still join a set, oldest first. */
  readonly candidates: readonly AnyEvent[];
}

/** What one operator holds for a key. */
export type OperatorView =
  | { readonly kind: 'sequence'; readonly partialMatches: readonly PartialMatchView[] }
  | { readonly kind: 'threshold'; readonly windows: readonly WindowView[] }
  | { readonly kind: 'correlation'; readonly roles: readonly RoleView[] };

/** Everything an engine holds for one (rule, key). */
export interface KeyStateView {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly keySpace: string;
  readonly key: string;
  /** The engine's watermark (null before the first event). */
  readonly watermark: number | null;
  /** Event time of the key's last event (null when the key holds nothing). */
  readonly lastSeen: number | null;
  /** The rule's context at this key, as alerts snapshot it (null without a context). */
  readonly context: JsonValue;
  readonly state: OperatorView;
}

/** One context of one key (GET /api/v1/keys/:key/context/:contextId). */
export interface ContextView {
  readonly contextId: string;
  readonly keySpace: string;
  readonly key: string;
  /** Event time of the key's last event (null when the key holds nothing: the value is then the initial one). */
  readonly lastSeen: number | null;
  readonly value: JsonValue;
}

/** A key's recent late events and drops over the state bounds (kept by the runner, not the engine). */
export interface RecentIssues {
  readonly late: readonly { readonly event: AnyEvent; readonly watermark: number }[];
  readonly overflow: readonly { readonly ruleId: string; readonly dropped: number; readonly watermark: number | null }[];
}
