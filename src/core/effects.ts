// What the core asks the outside world to do, as data. Adapters (replay, service, tests)
// decide how: write an alert, send a late event to its topic, count an overflow.
import type { AnyEvent, EventTimeMs, SourceRef } from '../events/types.ts';
import type { Alert } from './alert.ts';

export type Effect =
  | { readonly kind: 'alert'; readonly alert: Alert }
  /** An event behind the watermark by more than the allowed lateness: not processed. */
  | { readonly kind: 'late'; readonly event: AnyEvent; readonly source: SourceRef | null; readonly watermark: EventTimeMs }
  /** Partial matches or window events dropped because a (rule, key) hit its state bound. */
  | { readonly kind: 'overflow'; readonly ruleId: string; readonly key: string; readonly dropped: number }
  /** A rule's predicate, fold or message threw; the rule skipped this event, others ran. */
  | { readonly kind: 'rule-error'; readonly ruleId: string; readonly key: string; readonly eventId: string; readonly error: string }
  /**
   * Keys dropped to keep a key space within its budget (maxKeys): one effect per batch, at the
   * event time of the new key that needed room. `idle` keys held no partial match, window
   * event or timer, only context; `active` ones did, and that state is lost. Either kind, if it
   * comes back, starts afresh (contexts at their initial values). Least recently active first.
   */
  | { readonly kind: 'evicted'; readonly keySpace: string; readonly at: EventTimeMs; readonly idle: readonly string[]; readonly active: readonly string[] };

export type EffectKind = Effect['kind'];
