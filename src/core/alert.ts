// Alerts: what a rule raises. An alert explains itself: the matched events by step (with
// their Kafka coordinates when they came from Kafka), the key's context at that moment,
// first/last event time and a message. Its id is a stable hash of the rule id, version
// and matched event ids, so the same input always gives the same ids.
import { createHash } from 'node:crypto';
import type { AnyEvent, EventTimeMs, SourceRef } from '../events/types.ts';
import type { JsonValue } from './json.ts';
import type { Severity } from './rule-types.ts';

export type AlertId = string & { readonly __brand: 'AlertId' };

export interface MatchedEvent {
  readonly event: AnyEvent;
  readonly source: SourceRef | null;
}

export interface MatchedStep {
  readonly step: string;
  readonly events: readonly MatchedEvent[];
}

export interface Alert {
  readonly id: AlertId;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly ruleKind: 'sequence' | 'threshold' | 'correlation';
  readonly severity: Severity;
  readonly keySpace: string;
  readonly key: string;
  readonly firstEventTime: EventTimeMs;
  readonly lastEventTime: EventTimeMs;
  /** Event time at which the match was decided: the completing event, or the timer that fired. */
  readonly detectedAtEventTime: EventTimeMs;
  readonly message: string;
  readonly matched: readonly MatchedStep[];
  /** Numbers computed by threshold rules (count, sum, ...); empty otherwise. */
  readonly aggregates: Readonly<Record<string, number>>;
  /** The key's context snapshot just before the completing event was folded in. */
  readonly context: JsonValue;
}

/** Stable alert id: sha-256 over rule id, version, key and the matched event ids in step order. */
export function alertId(ruleId: string, version: number, key: string, matched: readonly MatchedStep[], salt = ''): AlertId {
  const h = createHash('sha256');
  h.update(`${ruleId}\u0000${version}\u0000${key}\u0000${salt}`);
  for (const s of matched) {
    h.update(`\u0001${s.step}`);
    for (const m of s.events) h.update(`\u0000${m.event.id}`);
  }
  return `al_${h.digest('hex').slice(0, 32)}` as AlertId;
}
