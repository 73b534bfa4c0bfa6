// The record limits the service gives the topics it creates (each fits what it writes), the
// start-up check of existing ones, the checkpoint part size under a state topic's limit, and
// a checkpoint cut to it.
import { describe, expect, it } from 'vitest';
import { CepError } from '../../../src/core/errors.ts';
import { fitsAlone } from '../../../src/kafka/sink.ts';
import { checkpointRecords } from '../../../src/service/checkpoint.ts';
import {
  ALERTS_TOPIC_BYTES, BROKER_DEFAULT_BYTES, STATE_TOPIC_BYTES, TopicLimits, checkTopicLimits, checkpointPartBytes, createdTopicBytes, deadLetterTopicBytes,
} from '../../../src/service/topic-limits.ts';

describe('topic limits', () => {
  it('creates alerts at 8 MiB, state at 2 MiB, dead letters and late events at the largest input record + 64 KiB', () => {
    const out = { alerts: 'al', deadLetter: 'dl', late: undefined, state: 'st' };
    expect([
      createdTopicBytes(out, [BROKER_DEFAULT_BYTES]),
      createdTopicBytes({ ...out, late: 'late' }, [BROKER_DEFAULT_BYTES, 8 * 1024 * 1024]),
      createdTopicBytes({ ...out, alerts: 'dl' }, []),
      [deadLetterTopicBytes([]), deadLetterTopicBytes([100]), deadLetterTopicBytes([1024 * 1024 * 1024])],
    ]).toEqual([
      new Map([['st', STATE_TOPIC_BYTES], ['al', ALERTS_TOPIC_BYTES], ['dl', 1_114_124]]),
      new Map([['st', 2_097_152], ['al', 8_388_608], ['dl', 8_454_144], ['late', 8_454_144]]),
      new Map([['st', 2_097_152], ['dl', 8_388_608]]),
      [1_114_124, 1_114_124, 64 * 1024 * 1024],
    ]);
  });

  it('refuses to start on an output topic below 64 KiB, naming each and the fix', () => {
    let err: unknown;
    try {
      checkTopicLimits(new Map([['al', 8_388_608], ['dl', 1000], ['st', 65_535]]));
    } catch (e) {
      err = e;
    }
    expect(() => checkTopicLimits(new Map([['al', 65_536]]))).not.toThrow();
    expect(err instanceof CepError ? [err.code, err.message] : err).toEqual(['CEP_ERR_TOPIC_LIMIT', [
      'CEP_ERR_TOPIC_LIMIT: output topic(s) accept records of at most 1000 bytes (dl), 65535 bytes (st); the service needs 65536',
      '  - raise it: kafka-configs.sh --alter --entity-type topics --entity-name dl --add-config max.message.bytes=1048588',
      '  - raise it: kafka-configs.sh --alter --entity-type topics --entity-name st --add-config max.message.bytes=1048588',
    ].join('\n')]);
  });

  it('cuts checkpoint parts to fit the state topic, each part then fits', () => {
    const snapshot = new Uint8Array(300_000).fill(3);
    const manifest = { format: 1 as const, group: 'g', id: 1, createdAt: 'now', streams: [], watermark: null, rules: [] };
    const small = checkpointRecords(manifest, [snapshot], new Set(), checkpointPartBytes(100_000));
    expect([checkpointPartBytes(STATE_TOPIC_BYTES), checkpointPartBytes(BROKER_DEFAULT_BYTES), checkpointPartBytes(100_000)]).toEqual([524_288, 524_288, 95_904]);
    expect([small.records.map((r) => [r.key, r.value?.length]), small.records.every((r) => fitsAlone(r, 100_000))]).toEqual([
      [['g/snap/0/0', 95_904], ['g/snap/0/1', 95_904], ['g/snap/0/2', 95_904], ['g/snap/0/3', 12_288], ['g/manifest', 102]], true,
    ]);
  });

  it('answers from the limits last read, the broker default for a topic never read, and reads them again on demand', async () => {
    let reads = 0;
    const l = new TopicLimits(new Map([['dl', 1000]]), async () => new Map([['dl', 2000 + reads++]]));
    const before = [l.of('dl'), l.of('other')];
    await l.refresh();
    expect([before, l.of('dl'), l.all]).toEqual([[1000, BROKER_DEFAULT_BYTES], 2000, new Map([['dl', 2000]])]);
  });
});
