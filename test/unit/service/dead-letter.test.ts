// A dead letter: the original key and value bytes untouched (a null value stays null, an empty
// one stays empty), with headers saying why and where from, plus any extra headers. One too
// big for its topic goes by reference: coordinates, sizes, schema id, first bytes, a flag.
import { describe, expect, it } from 'vitest';
import { DL, deadLetterOf, notRedrivable } from '../../../src/kafka/dead-letters.ts';
import { fitsAlone } from '../../../src/kafka/sink.ts';
import { PREVIEW_BYTES, byReference, deadLetter, futureEventsWarning, schemaIdOf } from '../../../src/service/dead-letter.ts';
import { emptyOutput } from '../../../src/workers/round-output.ts';

const where = (offset: number, timestamp: number) => ({
  'cepheus.source.topic': 'in', 'cepheus.source.partition': '3', 'cepheus.source.offset': String(offset), 'cepheus.source.timestamp': String(timestamp),
});

describe('dead letter', () => {
  it('carries the record as it was read, and why: a null value as null, an empty one as empty', () => {
    const r = deadLetter({ key: new Uint8Array([65, 66]), value: new Uint8Array([0, 1, 2]), timestamp: 42 }, 'in', 3, 17, 'CEP_ERR_INPUT_FRAME', 'not framed', { extra: 'x' });
    const tombstone = deadLetter({ key: null, value: null, timestamp: 0 }, 'in', 3, 1, 'CEP_ERR_INPUT_EMPTY', 'tombstone');
    const empty = deadLetter({ key: new Uint8Array([75]), value: new Uint8Array(0), timestamp: 5 }, 'in', 3, 2, 'CEP_ERR_INPUT_EMPTY', 'empty');
    expect([r, tombstone, empty]).toEqual([
      { key: Buffer.from('AB'), value: Buffer.from([0, 1, 2]), headers: { 'cepheus.error.code': 'CEP_ERR_INPUT_FRAME', 'cepheus.error.message': 'not framed', ...where(17, 42), extra: 'x' } },
      { key: null, value: null, headers: { 'cepheus.error.code': 'CEP_ERR_INPUT_EMPTY', 'cepheus.error.message': 'tombstone', ...where(1, 0) } },
      { key: Buffer.from('K'), value: Buffer.alloc(0), headers: { 'cepheus.error.code': 'CEP_ERR_INPUT_EMPTY', 'cepheus.error.message': 'empty', ...where(2, 5) } },
    ]);
    expect([r, tombstone, empty].map(byReference)).toEqual([false, false, false]);
  });

  it('goes by reference when the whole record does not fit the topic: coordinates, sizes, schema id, first bytes, flagged', () => {
    const value = Buffer.alloc(5 * 1024 * 1024, 0xab);
    value.writeUInt8(0, 0);
    value.writeInt32BE(42, 1);
    const key = Buffer.alloc(3000, 0x4b);
    const limit = 1_048_588;
    const r = deadLetter({ key, value, timestamp: 9 }, 'in', 3, 7, 'CEP_ERR_INPUT_AVRO_DECODE', `cannot decode ${'x'.repeat(5000)}`, {}, limit);
    expect(r).toEqual({
      key: key.subarray(0, PREVIEW_BYTES), value: value.subarray(0, PREVIEW_BYTES),
      headers: {
        'cepheus.error.code': 'CEP_ERR_INPUT_AVRO_DECODE', 'cepheus.error.message': `cannot decode ${'x'.repeat(PREVIEW_BYTES - 14)}`, ...where(7, 9),
        'cepheus.value.truncated': 'true', 'cepheus.value.bytes': String(5 * 1024 * 1024), 'cepheus.value.schema.id': '42', 'cepheus.key.bytes': '3000',
      },
    });
    expect([byReference(r), fitsAlone(r, 64 * 1024)]).toEqual([true, true]);
    // The dead-letter tools read it as a reference, which cannot be redriven.
    const seen = deadLetterOf('dlq', { partition: 0, offset: 4n, timestamp: 1, key: r.key as Buffer, value: r.value, headers: r.headers ?? {} });
    expect([seen.truncated, notRedrivable(seen)]).toEqual([true, 'it holds only a reference to the record (too big to copy): read in/3 at offset 7']);
  });

  it('a record just at the limit goes whole, one byte over by reference; an unframed value has no schema id', () => {
    const rec = { key: null, value: new Uint8Array(1000).fill(7), timestamp: 0 };
    const whole = deadLetter(rec, 'in', 0, 0, 'CEP_ERR_INPUT_FRAME', 'm');
    const limit = [...Array(2000).keys()].find((n) => fitsAlone(whole, n)) as number;
    const over = deadLetter(rec, 'in', 0, 0, 'CEP_ERR_INPUT_FRAME', 'm', {}, limit - 1);
    expect([byReference(deadLetter(rec, 'in', 0, 0, 'CEP_ERR_INPUT_FRAME', 'm', {}, limit)), byReference(over), over.headers?.[DL.VALUE_SCHEMA_ID], over.headers?.[DL.VALUE_BYTES]])
      .toEqual([false, true, undefined, '1000']);
    expect([schemaIdOf(null), schemaIdOf(new Uint8Array([0, 0, 0, 1])), schemaIdOf(new Uint8Array([0, 0, 0, 1, 2])), schemaIdOf(new Uint8Array([1, 0, 0, 1, 2]))]).toEqual([undefined, undefined, 258, undefined]);
  });

  it('a commit that quarantined events dated too far ahead warns once, with the count and the first one', () => {
    const record = { key: null, value: new Uint8Array([0]), timestamp: 1 };
    const output = { ...emptyOutput(), rejected: [
      { stream: 0, offset: 3, code: 'CEP_ERR_INPUT_FRAME', message: 'not framed', record },
      { stream: 1, offset: 9, code: 'CEP_ERR_FUTURE_EVENT', message: 'CEP_ERR_FUTURE_EVENT: in/1: offset 9: event e1 at 2099-01-01T00:00:00.000Z is …', record },
      { stream: 1, offset: 10, code: 'CEP_ERR_FUTURE_EVENT', message: 'second', record },
    ] };
    expect(futureEventsWarning({ codes: new Map([['CEP_ERR_INPUT_FRAME', 1], ['CEP_ERR_FUTURE_EVENT', 2]]), output })).toEqual({
      fields: { code: 'CEP_ERR_FUTURE_EVENT', count: 2, first: 'CEP_ERR_FUTURE_EVENT: in/1: offset 9: event e1 at 2099-01-01T00:00:00.000Z is …' },
      msg: 'events dated too far ahead of their records\' Kafka timestamps quarantined to the dead-letter topic (they moved no watermark): fix their producer or its clock, then `cepheus dlq redrive --code CEP_ERR_FUTURE_EVENT` if they were meant',
    });
    expect(futureEventsWarning({ codes: new Map([['CEP_ERR_INPUT_FRAME', 1]]), output: emptyOutput() })).toBeUndefined();
  });
});
