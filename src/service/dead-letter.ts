// Dead letters: the original record (key and value bytes, untouched) with headers saying why
// and where it came from, so it can be inspected, fixed and replayed. Late events go the same
// way (to the late topic, which defaults to the dead-letter topic) with code CEP_ERR_LATE_EVENT.
import type { OutputRecord } from '../kafka/sink.ts';
import type { InputMessage } from '../kafka/source.ts';

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

export function deadLetter(m: InputMessage, topic: string, partition: number, code: string, message: string, extra: Readonly<Record<string, string>> = {}): OutputRecord {
  return {
    key: m.key, value: m.value,
    headers: {
      [DeadLetterHeaders.CODE]: code, [DeadLetterHeaders.MESSAGE]: message, [DeadLetterHeaders.TOPIC]: topic,
      [DeadLetterHeaders.PARTITION]: String(partition), [DeadLetterHeaders.OFFSET]: m.offset.toString(), [DeadLetterHeaders.TIMESTAMP]: String(m.timestamp),
      ...extra,
    },
  };
}
