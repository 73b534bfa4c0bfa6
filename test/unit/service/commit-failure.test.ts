// A failed commit, classified as the operator reads it: a record too large (which record,
// which topic, which limit, told apart from a refusal below the limit read at start), the
// broker unreachable (through kafkajs's wrappers), or anything else; the waits between
// retries; which restore failures are worth retrying.
import { describe, expect, it } from 'vitest';
import { CepError } from '../../../src/core/errors.ts';
import { isConnectionError, isTooLarge, rootMessage } from '../../../src/kafka/kafka-errors.ts';
import { CommitError } from '../../../src/kafka/sink.ts';
import type { OutputRecord } from '../../../src/kafka/sink.ts';
import { NO_FAILURES, classifyCommitError, describeRecord, failedAgain, restartDelayMs, restoreRetryMs } from '../../../src/service/commit-failure.ts';
import { transientRestoreError } from '../../../src/service/restore.ts';

const tooLarge = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE' });
const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' });
const retriesExceeded = Object.assign(new Error(refused.message, { cause: refused }), { name: 'KafkaJSNumberOfRetriesExceeded' });

const dead = (bytes: number): OutputRecord => ({
  key: 'AC1', value: Buffer.alloc(bytes),
  headers: { 'cepheus.error.code': 'CEP_ERR_INPUT_FRAME', 'cepheus.source.topic': 'in', 'cepheus.source.partition': '2', 'cepheus.source.offset': '77' },
});
const alert: OutputRecord = { key: 'AC9', value: Buffer.alloc(900_000), headers: { 'cepheus.rule': 'structuring', 'cepheus.rule.version': '1' } };
const part: OutputRecord = { key: 'g/snap/0/1', value: Buffer.alloc(10), headers: { 'cepheus.checkpoint': '12' } };
const late: OutputRecord = { key: null, value: null, headers: { 'cepheus.error.code': 'CEP_ERR_LATE_EVENT', 'cepheus.source.topic': 'in', 'cepheus.source.partition': '0', 'cepheus.source.offset': '5' } };
const limits = (t: string): number => (t === 'dlq' ? 1_048_588 : 8_388_608);

describe('commit failures', () => {
  it('names the record a too-large failure is about, its size and the limit', () => {
    const over = new CommitError('send', [{ topic: 'alerts', records: [alert] }, { topic: 'dlq', records: [dead(10), dead(2_000_000)] }], tooLarge);
    const under = new CommitError('send', [{ topic: 'alerts', records: [alert] }], tooLarge);
    const bytes = (r: OutputRecord): number => 40 + (r.value?.length ?? 0) + 3 + Object.entries(r.headers ?? {}).reduce((n, [k, v]) => n + k.length + v.length + 10, 0) + 61;
    expect([classifyCommitError(over, limits), classifyCommitError(under, limits), classifyCommitError(tooLarge, limits)]).toEqual([
      {
        cause: 'too-large', code: 'CEP_ERR_COMMIT_TOO_LARGE',
        reason: `dead letter of in/2 offset 77 (CEP_ERR_INPUT_FRAME): ${bytes(dead(2_000_000))} bytes is over dlq's max.message.bytes 1048588`,
        record: { topic: 'dlq', what: 'dead letter of in/2 offset 77 (CEP_ERR_INPUT_FRAME)', bytes: bytes(dead(2_000_000)), limit: 1_048_588 },
      },
      {
        cause: 'too-large', code: 'CEP_ERR_COMMIT_TOO_LARGE',
        reason: `alert of rule structuring for key AC9: ${bytes(alert)} bytes was refused though alerts's max.message.bytes read 8388608 (lowered since? the limits are read again before the retry)`,
        record: { topic: 'alerts', what: 'alert of rule structuring for key AC9', bytes: bytes(alert), limit: 8_388_608 },
      },
      { cause: 'too-large', code: 'CEP_ERR_COMMIT_TOO_LARGE', reason: `a record over a topic's max.message.bytes: ${tooLarge.message}` },
    ]);
  });

  it('tells an unreachable broker (through kafkajs\'s wrappers) from anything else, and where the transaction stood', () => {
    expect([
      classifyCommitError(new CommitError('send', [], retriesExceeded), limits),
      classifyCommitError(new CommitError('end', [], Object.assign(new Error('Request EndTxn(key: 26, version: 1) timed out'), { name: 'KafkaJSRequestTimeoutError' })), limits),
      classifyCommitError(new CommitError('offsets', [], Object.assign(new Error('Not authorized to access group: g'), { type: 'GROUP_AUTHORIZATION_FAILED' })), limits),
    ]).toEqual([
      { cause: 'unreachable', code: 'CEP_ERR_COMMIT_FAILED', reason: 'broker unreachable (at send): Connection error: connect ECONNREFUSED 127.0.0.1:9092' },
      { cause: 'unreachable', code: 'CEP_ERR_COMMIT_FAILED', reason: 'broker unreachable (ending the transaction: the outcome is settled by the committed offsets): Request EndTxn(key: 26, version: 1) timed out' },
      { cause: 'other', code: 'CEP_ERR_COMMIT_FAILED', reason: 'Not authorized to access group: g (at offsets)' },
    ]);
    expect([isConnectionError(retriesExceeded), isConnectionError(tooLarge), isTooLarge(new CommitError('send', [], tooLarge)), isTooLarge(refused), rootMessage(new Error(`a\n  b${'x'.repeat(400)}`), 10)])
      .toEqual([true, false, true, false, 'a bxxxxxx…']);
  });

  it('describes every kind of record a commit writes', () => {
    expect([describeRecord(dead(1)), describeRecord(late), describeRecord(alert), describeRecord(part), describeRecord({ key: Buffer.from('k'), value: null })]).toEqual([
      'dead letter of in/2 offset 77 (CEP_ERR_INPUT_FRAME)', 'late event of in/0 offset 5 (CEP_ERR_LATE_EVENT)', 'alert of rule structuring for key AC9',
      'checkpoint 12 record g/snap/0/1', 'record with key k',
    ]);
  });

  it('waits longer before each retry while failures repeat, up to 30 s; a streak remembers its start', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map(restartDelayMs)).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect([1, 2, 3, 5, 6].map(restoreRetryMs)).toEqual([1000, 2000, 4000, 16_000, 30_000]);
    expect(failedAgain(failedAgain(NO_FAILURES, 100, 'a', 0), 900, 'b', 1000)).toEqual({ count: 2, since: 100, last: 'b', retryAt: 1900 });
  });

  it('retries a restore that failed on something passing, not on what is permanently wrong', () => {
    expect([
      transientRestoreError(retriesExceeded), transientRestoreError(new Error('worker exited')), transientRestoreError(new CepError('CEP_ERR_TOPIC_READ', 'slow')),
      transientRestoreError(new CepError('CEP_ERR_CHECKPOINT_FORMAT', 'v9')), transientRestoreError(new CepError('CEP_ERR_RULE_MODULE', 'gone')),
    ]).toEqual([true, true, true, false, false]);
  });
});
