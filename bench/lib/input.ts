// Bench input: a generated fixture (seeded, realistic, with planted scenarios) held in memory
// as Confluent-framed Avro values, the bytes the service would read from Kafka.
import type { EventKind } from '../../src/events/types.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { generate } from '../../src/gen/generate.ts';
import { encodeConfluentValue } from '../../src/io/confluent-frame.ts';

export const SCHEMA_ID: Readonly<Record<EventKind, number>> = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
export const kindOfSchemaId = (id: number): EventKind | undefined => EVENT_KINDS[id - 1];

export function framedFixture(events: number, seed = 42): Buffer[] {
  const gen = generate({ seed, events, accounts: Math.max(400, Math.round(events / 2500)) });
  const out: Buffer[] = [];
  for (const e of gen.events) out.push(encodeConfluentValue(e, SCHEMA_ID[e.kind]));
  return out;
}
