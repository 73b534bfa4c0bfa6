// Kafka values to events: Confluent framing and plain Avro, writer schemas other than
// Cepheus's (resolved), and a coded error, never a throw, for every way a value can be bad.
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { loadEventSchemas } from '../../../src/events/schemas.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue, recordTypeOf } from '../../../src/io/confluent-frame.ts';
import { KafkaValueDecoder } from '../../../src/io/kafka-value.ts';
import { SAMPLE_EVENTS } from './sample-events.ts';

const schemaOf = (kind: EventKind): Record<string, unknown> => loadEventSchemas().find((s) => s.kind === kind)?.schema as unknown as Record<string, unknown>;
const login = SAMPLE_EVENTS[1] as (typeof SAMPLE_EVENTS)[number] & { kind: 'login' };
const transfer = SAMPLE_EVENTS[6] as (typeof SAMPLE_EVENTS)[number] & { kind: 'transfer' };

/** A decoder for topic `t` carrying logins and transfers, ids 1 and 4 the Cepheus schemas. */
function decoder(): KafkaValueDecoder {
  const d = new KafkaValueDecoder(new Map([['t', ['login', 'transfer'] as EventKind[]]]));
  d.add({ id: 1, schema: JSON.stringify(schemaOf('login')) });
  d.add({ id: 4, schema: JSON.stringify(schemaOf('transfer')) });
  return d;
}

const codeOf = (x: object): string => ('code' in x ? String((x as { code: string }).code) : 'event');

describe('Kafka values', () => {
  it('decodes framed values to the canonical event, and plain Avro with the topic\'s schema', () => {
    const d = decoder();
    expect(d.decodeFramed(encodeConfluentValue(login, 1), 't', 't/0', 7)).toEqual(login);
    expect(JSON.stringify(d.decodeFramed(encodeConfluentValue(transfer, 4), 't', 't/0', 8))).toBe(JSON.stringify(transfer));
    const plain = new KafkaValueDecoder(new Map([['p', ['transfer'] as EventKind[]]]));
    plain.add({ id: -1, schema: null }, 'transfer');
    expect(plain.decodePlain(recordTypeOf('transfer').toBuffer(transfer), -1, 'p', 'p/0', 0)).toEqual(transfer);
  });

  it('reads a newer writer schema through Avro resolution (an added field is dropped)', () => {
    const d = decoder();
    const v2 = { ...schemaOf('login'), fields: [...(schemaOf('login')['fields'] as object[]), { name: 'tenant', type: 'string', default: 'eu' }] };
    d.add({ id: 9, schema: JSON.stringify(v2) });
    const writer = avro.Type.forSchema(v2 as avro.Schema, { wrapUnions: 'auto' });
    const body = writer.toBuffer({ ...login, tenant: 'us' });
    const framed = Buffer.concat([Buffer.from([0, 0, 0, 0, 9]), body]);
    expect(d.decodeFramed(framed, 't', 't/0', 1)).toEqual(login);
  });

  it('gives a code and a message saying what is wrong for every bad value', () => {
    const d = decoder();
    d.add({ id: 5, schema: JSON.stringify({ type: 'record', name: 'Foo', fields: [{ name: 'n', type: 'int' }] }) });
    d.add({ id: 6, schema: JSON.stringify(schemaOf('trade')) });
    const noAccount = { ...schemaOf('login'), fields: (schemaOf('login')['fields'] as { name: string }[]).filter((f) => f.name !== 'account') };
    d.add({ id: 7, schema: JSON.stringify(noAccount) });
    const framed = encodeConfluentValue(login, 1);
    const cases: [string, Buffer][] = [
      ['empty', Buffer.alloc(0)],
      ['garbage', Buffer.from('hello world')],
      ['short', Buffer.from([0, 0, 1])],
      ['unknown id', Buffer.concat([Buffer.from([0, 0, 0, 0, 99]), framed.subarray(5)])],
      ['truncated', framed.subarray(0, 9)],
      ['not an event', Buffer.from([0, 0, 0, 0, 5, 2])],
      ['kind not on this topic', encodeConfluentValue({ kind: 'trade', id: 'x', ts: login.ts, account: 'A', instrument: 'I', side: 'BUY', qty: 1, price: 1, notional: 1, currency: 'EUR', venue: 'V', orderId: null, counterpartyAccount: null }, 6)],
      ['incompatible writer', Buffer.from([0, 0, 0, 0, 7])],
      ['negative amount', encodeConfluentValue({ ...transfer, amount: -1 }, 4)],
      ['infinite amount', encodeConfluentValue({ ...transfer, amount: Infinity }, 4)],
      ['seconds, not ms', encodeConfluentValue({ ...transfer, ts: 1_767_571_200 as typeof transfer.ts }, 4)],
      ['empty id', encodeConfluentValue({ ...login, id: '' }, 1)],
    ];
    const got = cases.map(([what, v], i) => {
      const r = d.decodeFramed(v, 't', 't/0', i);
      return [what, codeOf(r), 'message' in r ? (r as { message: string }).message : ''];
    });
    expect(got).toEqual([
      ['empty', 'CEP_ERR_INPUT_EMPTY', 'CEP_ERR_INPUT_EMPTY: t/0: offset 0: empty value (a tombstone?); events need a value'],
      ['garbage', 'CEP_ERR_INPUT_FRAME', 'CEP_ERR_INPUT_FRAME: t/0: offset 1: not Confluent-framed: expected magic byte 0 and a 4-byte schema id, got first byte 104'],
      ['short', 'CEP_ERR_INPUT_FRAME', 'CEP_ERR_INPUT_FRAME: t/0: offset 2: not Confluent-framed: expected magic byte 0 and a 4-byte schema id, got 3 bytes'],
      ['unknown id', 'CEP_ERR_INPUT_SCHEMA_UNKNOWN', 'CEP_ERR_INPUT_SCHEMA_UNKNOWN: t/0: offset 3: schema id 99 is not in the schema registry'],
      ['truncated', 'CEP_ERR_INPUT_AVRO_DECODE', expect.stringMatching(/^CEP_ERR_INPUT_AVRO_DECODE: t\/0: offset 4: cannot decode as login with schema id 1: /)],
      ['not an event', 'CEP_ERR_INPUT_SCHEMA_KIND', 'CEP_ERR_INPUT_SCHEMA_KIND: t/0: offset 5: schema id 5: its writer schema is not a Cepheus event record (login, order, trade or transfer)'],
      ['kind not on this topic', 'CEP_ERR_INPUT_SCHEMA_KIND', 'CEP_ERR_INPUT_SCHEMA_KIND: t/0: offset 6: schema id 6 is a trade, but topic t is configured for login, transfer'],
      ['incompatible writer', 'CEP_ERR_INPUT_SCHEMA_INCOMPATIBLE', expect.stringMatching(/^CEP_ERR_INPUT_SCHEMA_INCOMPATIBLE: t\/0: offset 7: schema id 7: cannot read it as Cepheus's login schema: /)],
      ['negative amount', 'CEP_ERR_INPUT_VALUE', "CEP_ERR_INPUT_VALUE: t/0: offset 8: field 'amount': must be > 0, got -1"],
      ['infinite amount', 'CEP_ERR_INPUT_FIELD_TYPE', "CEP_ERR_INPUT_FIELD_TYPE: t/0: offset 9: field 'amount': expected a finite number, got Infinity"],
      ['seconds, not ms', 'CEP_ERR_INPUT_VALUE', "CEP_ERR_INPUT_VALUE: t/0: offset 10: field 'ts': must be ms since epoch between 2000 and 2100 (seconds instead of ms?), got 1767571200"],
      ['empty id', 'CEP_ERR_INPUT_VALUE', "CEP_ERR_INPUT_VALUE: t/0: offset 11: field 'id': must not be empty, got \"\""],
    ]);
  });
});
