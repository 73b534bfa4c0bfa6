// Explain's answer as data: a (rule, key)'s timeline, one entry per thing that reached it in
// processing order (an event it read, a late event, a deadline, an eviction), each with what
// it did. Partial matches are numbered (#1, #2...) in the order they opened; a match that
// takes an event and does not stay keeps its number, a fork gets a new one.
import type { AnyEvent } from '../../events/types.ts';
import type { KeyStateView, PartialMatchView, WindowView } from '../state-view.ts';
import type { DropReason } from './observer.ts';
import type { Evaluation } from './trace.ts';

export type Happening =
  // ---- sequences
  | { readonly kind: 'opened'; readonly match: number; readonly step: string; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'not-opened'; readonly step: string; readonly evaluations: readonly Evaluation[] }
  /** `from`: the match it forked from (which stays), or null when the match itself moved on. */
  | { readonly kind: 'took'; readonly match: number; readonly from: number | null; readonly step: string; readonly count: number; readonly evaluations: readonly Evaluation[] }
  /** The match stayed without taking the event (the evaluations say why it did not take it). */
  | { readonly kind: 'waits'; readonly match: number; readonly waitsFor: readonly string[]; readonly blocked: boolean; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'expired'; readonly match: number; readonly deadline: number }
  | { readonly kind: 'dropped'; readonly match: number; readonly reason: DropReason; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'completed'; readonly match: number }
  | { readonly kind: 'pending'; readonly match: number; readonly deadline: number; readonly absence: string }
  | { readonly kind: 'absence'; readonly match: number; readonly step: string; readonly matched: boolean; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'suppressed'; readonly match: number; readonly strategy: string }
  | { readonly kind: 'discarded'; readonly match: number; readonly strategy: string }
  | { readonly kind: 'overflow'; readonly matches: readonly number[] }
  // ---- thresholds
  | { readonly kind: 'filtered'; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'window'; readonly window: WindowView; readonly left: readonly string[]; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'window-decided'; readonly window: WindowView; readonly fired: boolean; readonly consumed: boolean; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'window-overflow'; readonly dropped: number }
  // ---- correlations
  | { readonly kind: 'candidate'; readonly roles: readonly string[]; readonly evaluations: readonly Evaluation[] }
  | { readonly kind: 'no-set'; readonly role: string; readonly missing: string }
  | { readonly kind: 'consumed'; readonly events: readonly string[] }
  // ---- any rule
  /** `match`: the sequence's partial match that became the alert (null for other kinds). */
  | { readonly kind: 'alert'; readonly match: number | null; readonly id: string; readonly message: string; readonly events: readonly string[] }
  | { readonly kind: 'error'; readonly error: string };

export interface Entry {
  /** `event`: an event the rule read at the key; `late`: one that came too late to be; `timer`: a deadline came due; `evicted`: the key had been idle past its TTL and starts afresh. */
  readonly kind: 'event' | 'late' | 'timer' | 'evicted';
  /** Event time: of the event, the deadline, or the key's last event before eviction. */
  readonly at: number;
  readonly event: AnyEvent | null;
  /** For late events: the watermark it was behind. */
  readonly watermark: number | null;
  readonly happened: readonly Happening[];
}

export interface Explanation {
  readonly ruleId: string;
  readonly ruleKind: 'sequence' | 'threshold' | 'correlation';
  readonly key: string;
  readonly skip: string | null;
  /** Entries in processing order (those within --from/--to when given). */
  readonly timeline: readonly Entry[];
  /** The last view of every numbered partial match. */
  readonly matches: Readonly<Record<number, PartialMatchView>>;
  /** What the engine holds for the (rule, key) once the input is processed. */
  readonly state: KeyStateView;
}
