// The explain observer: what the engine and its operators report, as data, when they explain
// one (rule, key). It is `undefined` on the normal path, where each report costs one
// well-predicted branch and nothing is allocated; predicates then run untraced.
import type { AnyEvent } from '../../events/types.ts';
import type { Alert } from '../alert.ts';
import type { PartialMatchView, WindowView } from '../state-view.ts';

/** A partial match as a report names it: its identity (the operator's own object) and its view. */
export interface Partial {
  readonly ref: object;
  readonly view: PartialMatchView;
}

/** Why a partial match could not stay when it did not take an event. */
export type DropReason = 'strict' | 'absence';

/**
 * One report. Engine reports (`event`, `late`, `timer`, `alert`, `error`, `evicted`) frame
 * the operator reports that follow them; evaluations (traced predicates) attach to the next
 * operator report.
 */
export type Note =
  // ---- engine
  | { readonly kind: 'event'; readonly event: AnyEvent; readonly seq: number }
  | { readonly kind: 'late'; readonly event: AnyEvent; readonly watermark: number }
  | { readonly kind: 'timer'; readonly at: number }
  | { readonly kind: 'alert'; readonly alert: Alert }
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'evicted'; readonly lastSeen: number }
  // ---- sequences
  /** What one held partial match did with the event: what it took (the first take keeps its identity when it did not stay), whether it stays. */
  | { readonly kind: 'run'; readonly run: Partial; readonly took: readonly Partial[]; readonly stays: boolean; readonly expired: boolean; readonly dropped: DropReason | null }
  | { readonly kind: 'open'; readonly opened: Partial | null; readonly step: string }
  | { readonly kind: 'pending'; readonly run: Partial; readonly absence: string }
  | { readonly kind: 'absence'; readonly run: Partial; readonly step: string; readonly matched: boolean }
  | { readonly kind: 'overflow'; readonly dropped: readonly Partial[] }
  /** Matches decided together, in order, each emitted or not, and the held ones the strategy discarded. */
  | { readonly kind: 'decided'; readonly strategy: string; readonly decided: readonly { readonly run: Partial; readonly emitted: boolean }[]; readonly discarded: readonly Partial[] }
  // ---- thresholds
  | { readonly kind: 'filtered' }
  | { readonly kind: 'window'; readonly window: WindowView; readonly left: readonly AnyEvent[] }
  | { readonly kind: 'window-decided'; readonly window: WindowView; readonly fired: boolean; readonly consumed: boolean }
  | { readonly kind: 'window-overflow'; readonly dropped: number }
  // ---- correlations
  | { readonly kind: 'candidate'; readonly roles: readonly string[] }
  | { readonly kind: 'no-set'; readonly role: string; readonly missing: string }
  | { readonly kind: 'consumed'; readonly events: readonly AnyEvent[] };

export interface Observer {
  /** Runs a predicate traced (see trace.ts), records the evaluation, returns what the engine would have got (rethrowing). */
  evaluate(label: string, fn: (...args: never[]) => unknown, args: readonly (readonly [string, unknown])[]): boolean;
  note(n: Note): void;
}
