// The dead-letter tools' pure parts: reading a record back, selecting, what cannot be
// redriven and why, the order redrive produces in, and how list prints.
import { describe, expect, it } from 'vitest';
import { formatLine, parseSince, selectionOf, toJson } from '../../../src/cli/dlq.ts';
import { chunks, deadLetterOf, inSourceOrder, notRedrivable, selects } from '../../../src/kafka/dead-letters.ts';
import type { Redriven } from '../../../src/kafka/dead-letters.ts';
import type { TopicRecord } from '../../../src/kafka/topic-reader.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const record = (over: Partial<TopicRecord> = {}, headers: Record<string, string> = {}): TopicRecord => ({
  partition: 1, offset: 42n, timestamp: NOW - 60_000, key: Buffer.from('AC1'), value: Buffer.from('{"kind":"login"'),
  headers: {
    'cepheus.error.code': 'CEP_ERR_INPUT_FRAME', 'cepheus.error.message': 'CEP_ERR_INPUT_FRAME: t/0: offset 7: not Confluent-framed',
    'cepheus.source.topic': 'logins', 'cepheus.source.partition': '0', 'cepheus.source.offset': '7', 'cepheus.source.timestamp': String(NOW - 61_000),
    ...headers,
  },
  ...over,
});

describe('dead letters read back', () => {
  it('says where each came from and why', () => {
    const d = deadLetterOf('dlq', record());
    expect({ ...d, headers: undefined }).toEqual({
      id: 'dlq/1/42', at: NOW - 60_000, code: 'CEP_ERR_INPUT_FRAME', message: 'CEP_ERR_INPUT_FRAME: t/0: offset 7: not Confluent-framed',
      source: { topic: 'logins', partition: 0, offset: 7, timestamp: NOW - 61_000 }, key: Buffer.from('AC1'), value: Buffer.from('{"kind":"login"'), truncated: false, headers: undefined,
    });
    expect(formatLine(d)).toBe('dlq/1/42  2026-12-03T11:59:00.000Z  CEP_ERR_INPUT_FRAME  logins/0@7  15 B  CEP_ERR_INPUT_FRAME: t/0: offset 7: not Confluent-framed');
    expect(toJson(d)).toEqual({
      id: 'dlq/1/42', at: '2026-12-03T11:59:00.000Z', code: 'CEP_ERR_INPUT_FRAME', message: 'CEP_ERR_INPUT_FRAME: t/0: offset 7: not Confluent-framed',
      source: { topic: 'logins', partition: 0, offset: 7, timestamp: NOW - 61_000 }, truncated: false,
      key: Buffer.from('AC1').toString('base64'), value: Buffer.from('{"kind":"login"').toString('base64'), valueText: '{"kind":"login"', headers: record().headers,
    });
  });

  it('selects by time, code and source topic', () => {
    const d = deadLetterOf('dlq', record());
    const since = (s: string): boolean => selects(selectionOf({ since: s, code: [], sourceTopic: [] }, NOW), d);
    expect([since('30s'), since('2m'), since('2026-12-03T11:58:00Z'), since('1d')]).toEqual([false, true, true, true]);
    expect(selects({ codes: ['CEP_ERR_LATE_EVENT'] }, d)).toBe(false);
    expect(selects({ codes: ['CEP_ERR_LATE_EVENT', 'CEP_ERR_INPUT_FRAME'], sourceTopics: ['logins'] }, d)).toBe(true);
    expect(selects({ sourceTopics: ['trades'] }, d)).toBe(false);
    expect(() => parseSince('yesterday', NOW)).toThrow(/^CEP_ERR_CLI_ARG: --since must be an ISO time/);
    expect(parseSince('90s', NOW)).toBe(NOW - 90_000);
  });

  it('redrives only records whose bytes it holds', () => {
    expect(notRedrivable(deadLetterOf('dlq', record()))).toBeNull();
    expect(notRedrivable(deadLetterOf('dlq', record({ value: null })))).toBe('no value (a tombstone): nothing to process');
    expect(notRedrivable(deadLetterOf('dlq', record({}, { 'cepheus.value.truncated': 'true' }))))
      .toBe('it holds only a reference to the record (too big to copy): read logins/0 at offset 7');
    expect(notRedrivable(deadLetterOf('dlq', { ...record(), headers: {} }))).toBe('no source topic in its headers');
  });

  it('redrives in the order the records were read: by source topic, partition, offset, whatever the dead-letter partitions', () => {
    const at = (dlqPartition: number, dlqOffset: number, topic: string, partition: number, offset: number) => deadLetterOf('dlq', record({ partition: dlqPartition, offset: BigInt(dlqOffset) }, {
      'cepheus.source.topic': topic, 'cepheus.source.partition': String(partition), 'cepheus.source.offset': String(offset),
    }));
    const noSource = deadLetterOf('dlq', { ...record({ partition: 0, offset: 9n }), headers: {} });
    // As reading the dead-letter topic back gives them: partition by partition.
    const read = [at(0, 0, 'logins', 0, 7), noSource, at(0, 1, 'logins', 1, 2), at(1, 0, 'logins', 0, 3), at(1, 1, 'trades', 0, 1), at(2, 0, 'logins', 0, 12)];
    expect(inSourceOrder(read).map((d) => d.id)).toEqual(['dlq/1/0', 'dlq/0/0', 'dlq/2/0', 'dlq/0/1', 'dlq/1/1', 'dlq/0/9']);
  });

  it('produces in requests of bounded size, in order: one request of thousands of records would be refused as too large', () => {
    const r = (i: number, bytes: number): Redriven => ({ topic: i % 2 === 0 ? 'logins' : 'trades', message: { key: null, value: Buffer.alloc(bytes), partition: 0, headers: { 'cepheus.redriven.from': `d/0/${i}` } } });
    // 64 bytes of overhead per record, plus its header (21 + 5 characters): 90 + the value.
    const sized = chunks([r(0, 100), r(1, 100), r(2, 100), r(3, 1000), r(4, 8)], 300);
    expect(sized.map((c) => c.map((x) => x.message.headers['cepheus.redriven.from']))).toEqual([['d/0/0'], ['d/0/1'], ['d/0/2'], ['d/0/3'], ['d/0/4']]);
    expect(chunks([r(0, 8), r(1, 8), r(2, 8), r(3, 1000), r(4, 8)], 300).map((c) => c.length)).toEqual([3, 1, 1]);
    expect(chunks([])).toEqual([]);
  });
});
