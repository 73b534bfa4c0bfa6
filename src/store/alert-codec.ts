// Alerts on the wire (the alerts topic): the Avro record of schemas/output/alert.avsc, and
// the conversions from and to the engine's Alert. Events and context travel as JSON strings.
import { readFileSync } from 'node:fs';
import avro from 'avsc';
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

/** How alerts are framed on the alerts topic: registry-framed Avro, or plain Avro without a registry. */
export interface AlertWire {
  readonly encode: (a: Alert) => Promise<Buffer>;
  readonly decode: (value: Buffer) => Promise<Alert>;
}

/** Confluent framing with the alert schema registered under `id`. */
export function registryAlertWire(registry: { encode(id: number, r: unknown): Promise<Buffer>; decode(b: Buffer): Promise<unknown> }, id: number): AlertWire {
  return {
    encode: (a) => registry.encode(id, toRecord(a)),
    decode: async (b) => fromRecord((await registry.decode(b)) as AlertRecord),
  };
}

/** Plain Avro records of schemas/output/alert.avsc (every input topic plain, no registry). */
export function plainAlertWire(): AlertWire {
  const type = avro.Type.forSchema(JSON.parse(ALERT_SCHEMA) as avro.Schema);
  return {
    encode: (a) => Promise.resolve(type.toBuffer(toRecord(a))),
    decode: (b) => Promise.resolve(fromRecord(type.fromBuffer(b) as AlertRecord)),
  };
}
