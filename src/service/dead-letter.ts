// Dead letters: the original record (key and value bytes, untouched: a null value stays null,
// an empty one stays empty) with headers saying why and where it came from, so it can be
// inspected, fixed and replayed. Late events go the same way (to the late topic, which
// defaults to the dead-letter topic) with code CEP_ERR_LATE_EVENT; events dated too far ahead
// of their record's Kafka timestamp (core/time-guard.ts) to the dead-letter topic with code
// CEP_ERR_FUTURE_EVENT, and a warning per commit that carried some.
//
// A record too big for the dead-letter topic (its max.message.bytes) goes by reference: its
// coordinates (the source headers), the size of its value and key, its Confluent schema id
// (when framed) and its first PREVIEW_BYTES bytes, with cepheus.value.truncated = 'true'. The
// whole record stays readable in its source topic (until retention), so no record can make a
// commit fail by its size. Header names are the dead-letter tools' own (src/kafka/dead-letters.ts).
import { DL } from '../kafka/dead-letters.ts';
import { fitsAlone } from '../kafka/sink.ts';
import type { OutputRecord } from '../kafka/sink.ts';
import type { RawRecord } from '../workers/protocol.ts';
import type { Committed } from './counters.ts';

export const LATE_EVENT = 'CEP_ERR_LATE_EVENT';
export const FUTURE_EVENT = 'CEP_ERR_FUTURE_EVENT';

/** Bytes of the key and value a dead letter by reference keeps (and characters of its message). */
export const PREVIEW_BYTES = 1024;

/** The Confluent schema id of a framed value (magic byte 0, 4-byte id), if it is one. */
export function schemaIdOf(value: Uint8Array | null): number | undefined {
  if (value === null || value.length < 5 || value[0] !== 0) return undefined;
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength).readInt32BE(1);
}

const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

/**
 * The dead letter of `r` (read at topic/partition/offset), whole when it fits a topic whose
 * max.message.bytes is `limit`, by reference otherwise.
 */
export function deadLetter(
  r: RawRecord, topic: string, partition: number, offset: number, code: string, message: string, extra: Readonly<Record<string, string>> = {}, limit = Infinity,
): OutputRecord {
  const headers: Record<string, string> = {
    [DL.CODE]: code, [DL.MESSAGE]: message, [DL.TOPIC]: topic, [DL.PARTITION]: String(partition), [DL.OFFSET]: String(offset), [DL.TIMESTAMP]: String(r.timestamp),
    ...extra,
  };
  const whole: OutputRecord = { key: r.key === null ? null : view(r.key), value: r.value === null ? null : view(r.value), headers };
  if (fitsAlone(whole, limit)) return whole;
  const id = schemaIdOf(r.value);
  const cut = (b: Uint8Array): Buffer => view(b.subarray(0, PREVIEW_BYTES));
  return {
    key: r.key === null ? null : cut(r.key),
    value: r.value === null ? null : cut(r.value),
    headers: {
      ...headers,
      [DL.MESSAGE]: message.slice(0, PREVIEW_BYTES),
      [DL.TRUNCATED]: 'true',
      [DL.VALUE_BYTES]: String(r.value?.length ?? 0),
      ...(id === undefined ? {} : { [DL.VALUE_SCHEMA_ID]: String(id) }),
      ...(r.key === null ? {} : { [DL.KEY_BYTES]: String(r.key.length) }),
    },
  };
}

/** True for a dead letter that carries a reference instead of the whole record. */
export const byReference = (r: OutputRecord): boolean => r.headers?.[DL.TRUNCATED] === 'true';

/** The warning for a commit that quarantined events dated too far ahead (none: undefined). */
export function futureEventsWarning(c: Pick<Committed, 'codes' | 'output'>): { fields: Record<string, unknown>; msg: string } | undefined {
  const count = c.codes.get(FUTURE_EVENT) ?? 0;
  if (count === 0) return undefined;
  const first = c.output.rejected.find((r) => r.code === FUTURE_EVENT);
  return {
    fields: { code: FUTURE_EVENT, count, first: first?.message },
    msg: 'events dated too far ahead of their records\' Kafka timestamps quarantined to the dead-letter topic (they moved no watermark): fix their producer or its clock, then `cepheus dlq redrive --code CEP_ERR_FUTURE_EVENT` if they were meant',
  };
}
