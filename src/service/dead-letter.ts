// Dead letters: the original record (key and value bytes, untouched) with headers saying why
// and where it came from, so it can be inspected, fixed and replayed. Late events go the same
// way (to the late topic, which defaults to the dead-letter topic) with code CEP_ERR_LATE_EVENT.
import type { OutputRecord } from '../kafka/sink.ts';
import type { RawRecord } from '../workers/protocol.ts';

export const LATE_EVENT = 'CEP_ERR_LATE_EVENT';

export const DeadLetterHeaders = {
  CODE: 'cepheus.error.code',
  MESSAGE: 'cepheus.error.message',
  TOPIC: 'cepheus.source.topic',
  PARTITION: 'cepheus.source.partition',
  OFFSET: 'cepheus.source.offset',
  TIMESTAMP: 'cepheus.source.timestamp',
  WATERMARK: 'cepheus.late.watermark',
} as const;

export function deadLetter(r: RawRecord, topic: string, partition: number, offset: number, code: string, message: string, extra: Readonly<Record<string, string>> = {}): OutputRecord {
  const view = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return {
    // An empty value was a tombstone (null): it goes out as one.
    key: r.key === null ? null : view(r.key), value: r.value.length === 0 ? null : view(r.value),
    headers: {
      [DeadLetterHeaders.CODE]: code, [DeadLetterHeaders.MESSAGE]: message, [DeadLetterHeaders.TOPIC]: topic,
      [DeadLetterHeaders.PARTITION]: String(partition), [DeadLetterHeaders.OFFSET]: String(offset), [DeadLetterHeaders.TIMESTAMP]: String(r.timestamp),
      ...extra,
    },
  };
}
