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
  | { readonly kind: 'rule-error'; readonly ruleId: string; readonly key: string; readonly eventId: string; readonly error: string };

export type EffectKind = Effect['kind'];
