// Bench input: a generated fixture (seeded, realistic, with planted scenarios) held in memory
// as Confluent-framed Avro values, the bytes the service would read from Kafka.
import type { EventKind } from '../../src/events/types.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import { shardOf } from '../../src/core/order.ts';
import { encodeConfluentValue } from '../../src/io/confluent-frame.ts';
import { KafkaValueDecoder } from '../../src/io/kafka-value.ts';

export const SCHEMA_ID: Readonly<Record<EventKind, number>> = Object.fromEntries(EVENT_KINDS.map((k, i) => [k, i + 1])) as Record<EventKind, number>;
/** The service's decoder, with each kind's schema registered under SCHEMA_ID. */
export function benchDecoder(): KafkaValueDecoder {
  const d = new KafkaValueDecoder(new Map());
  for (const k of EVENT_KINDS) d.add({ id: SCHEMA_ID[k], schema: null }, k);
  return d;
}

/** Framed values, and for each the stream (partition) a producer keyed by account would use. */
export interface FramedInput {
  readonly values: readonly Buffer[];
  readonly streams: readonly number[];
  readonly streamCount: number;
}

export function framedFixture(events: number, seed = 42, streamCount = 4): FramedInput {
  const gen = generate({ seed, events, accounts: Math.max(400, Math.round(events / 2500)) });
  const values: Buffer[] = [];
  const streams: number[] = [];
  for (const e of gen.events) {
    values.push(encodeConfluentValue(e, SCHEMA_ID[e.kind]));
    streams.push(shardOf(e.account, streamCount));
  }
  return { values, streams, streamCount };
}
