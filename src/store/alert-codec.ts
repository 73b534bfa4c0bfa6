// Alerts on the wire (the alerts topic): the Avro record of schemas/output/alert.avsc, and
// the conversions from and to the engine's Alert. Events and context travel as JSON strings.
import { readFileSync } from 'node:fs';
import type { Alert, AlertId } from '../core/alert.ts';
import type { JsonValue } from '../core/json.ts';
import type { AnyEvent, EventTimeMs, SourceRef } from '../events/types.ts';

export const ALERT_SCHEMA: string = readFileSync(new URL('../../schemas/output/alert.avsc', import.meta.url), 'utf8');

export interface AlertRecord {
  readonly id: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly ruleKind: Alert['ruleKind'];
  readonly severity: Alert['severity'];
  readonly keySpace: string;
  readonly key: string;
  readonly firstEventTime: number;
  readonly lastEventTime: number;
  readonly detectedAtEventTime: number;
  readonly message: string;
  readonly matched: readonly { readonly step: string; readonly events: readonly { readonly event: string; readonly source: SourceRef | null }[] }[];
  readonly aggregates: Readonly<Record<string, number>>;
  readonly context: string;
}

export function toRecord(a: Alert): AlertRecord {
  return {
    id: a.id, ruleId: a.ruleId, ruleVersion: a.ruleVersion, ruleKind: a.ruleKind, severity: a.severity, keySpace: a.keySpace, key: a.key,
    firstEventTime: a.firstEventTime, lastEventTime: a.lastEventTime, detectedAtEventTime: a.detectedAtEventTime, message: a.message,
    matched: a.matched.map((m) => ({ step: m.step, events: m.events.map((e) => ({ event: JSON.stringify(e.event), source: e.source })) })),
    aggregates: a.aggregates, context: JSON.stringify(a.context),
  };
}

export function fromRecord(r: AlertRecord): Alert {
  return {
    id: r.id as AlertId, ruleId: r.ruleId, ruleVersion: r.ruleVersion, ruleKind: r.ruleKind, severity: r.severity, keySpace: r.keySpace, key: r.key,
    firstEventTime: r.firstEventTime as EventTimeMs, lastEventTime: r.lastEventTime as EventTimeMs, detectedAtEventTime: r.detectedAtEventTime as EventTimeMs,
    message: r.message,
    matched: r.matched.map((m) => ({ step: m.step, events: m.events.map((e) => ({ event: JSON.parse(e.event) as AnyEvent, source: e.source })) })),
    aggregates: { ...r.aggregates }, context: JSON.parse(r.context) as JsonValue,
  };
}
