// Confluent framing as the producer writes it and the service's one decoder reads it.
import { describe, expect, it } from 'vitest';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { KafkaValueDecoder } from '../../../src/io/kafka-value.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

const IDS: Record<EventKind, number> = { login: 11, order: 12, trade: 13, transfer: 14 };

function decoder(): KafkaValueDecoder {
  const d = new KafkaValueDecoder(new Map());
  for (const [kind, id] of Object.entries(IDS) as [EventKind, number][]) d.add({ id, schema: null }, kind);
  return d;
}

describe('Confluent-framed values', () => {
  it('round-trips every sample event through magic byte, schema id and Avro record', () => {
    const d = decoder();
    for (const e of SAMPLE_EVENTS) {
      const buf = encodeConfluentValue(e, IDS[e.kind]);
      expect([buf[0], buf.readInt32BE(1)]).toEqual([0, IDS[e.kind]]);
      expect(d.decodeFramed(buf, 't', 't/0', 0)).toStrictEqual(e);
    }
  });

  it('reports framing problems with the codes the dead-letter topic uses', () => {
    const d = decoder();
    const e = SAMPLE_EVENTS[0] as (typeof SAMPLE_EVENTS)[number];
    expect(d.decodeFramed(encodeConfluentValue(e, 99), 'logins', 'logins/0', 7)).toEqual({
      code: 'CEP_ERR_INPUT_SCHEMA_UNKNOWN', file: 'logins/0', record: 7,
      message: 'CEP_ERR_INPUT_SCHEMA_UNKNOWN: logins/0: offset 7: schema id 99 is not in the schema registry',
    });
    expect(d.decodeFramed(Buffer.from('{"kind":"login"}'), 'logins', 'logins/0', 8)).toEqual({
      code: 'CEP_ERR_INPUT_FRAME', file: 'logins/0', record: 8,
      message: 'CEP_ERR_INPUT_FRAME: logins/0: offset 8: not Confluent-framed: expected magic byte 0 and a 4-byte schema id, got first byte 123',
    });
    expect(() => encodeConfluentValue(e, -1)).toThrow(/^CEP_ERR_SCHEMA_ID: schema id must be an int32 >= 0 \(got -1\)$/);
  });
});
