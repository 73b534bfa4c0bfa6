import { describe, expect, it } from 'vitest';
import type { EventKind } from '../../../src/events/types.ts';
import { decodeConfluentValue, encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

const IDS: Record<EventKind, number> = { login: 11, order: 12, trade: 13, transfer: 14 };
const kindOf = (id: number): EventKind | undefined => (Object.entries(IDS).find(([, v]) => v === id)?.[0] as EventKind | undefined);

describe('Confluent-framed values', () => {
  it('round-trips every sample event through magic byte, schema id and Avro record', () => {
    for (const e of SAMPLE_EVENTS) {
      const buf = encodeConfluentValue(e, IDS[e.kind]);
      expect([buf[0], buf.readInt32BE(1)]).toStrictEqual([0, IDS[e.kind]]);
      expect(decodeConfluentValue(buf, kindOf)).toStrictEqual(e);
    }
  });

  it('reports unknown schema ids and unframed bytes as input errors', () => {
    const e = SAMPLE_EVENTS[0];
    if (e === undefined) throw new Error('fixture');
    const unknownId = encodeConfluentValue(e, 99);
    expect(decodeConfluentValue(unknownId, kindOf, 'logins', 7)).toMatchObject({ code: 'CEP_ERR_INPUT_KIND', record: 7 });
    expect(decodeConfluentValue(Buffer.from('{"kind":"login"}'), kindOf)).toMatchObject({ code: 'CEP_ERR_INPUT_JSON' });
  });
});
