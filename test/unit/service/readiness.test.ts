// Readiness on a simulated clock: every status alone; then each thing that can be wrong (the
// broker unreachable, commits failing, restores failing, event time stalled or ahead of the
// wall clock) with the exact reason it gives, most fundamental first, and in which statuses it
// counts. When the broker or event time count as wrong is broker-health.test.ts's and
// watermark-health.test.ts's.
import { describe, expect, it } from 'vitest';
import { brokerError, brokerEvidence } from '../../../src/service/broker-health.ts';
import { NO_FAILURES, failedAgain } from '../../../src/service/commit-failure.ts';
import { readiness } from '../../../src/service/readiness.ts';
import type { HealthBounds, HealthView } from '../../../src/service/readiness.ts';
import type { Status } from '../../../src/service/service-state.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const bounds: HealthBounds = { roundMaxValues: 100, brokerTimeoutMs: 10_000, stallMs: 120_000, aheadMs: 900_000 };
const fine = (status: Status, o: Partial<HealthView> = {}): HealthView => ({
  status, lag: 0, broker: brokerEvidence(T0), commits: NO_FAILURES, restores: NO_FAILURES, watermark: undefined, lastInput: T0, ...o,
});

describe('readiness', () => {
  it('answers for every status', () => {
    const all: Status[] = ['starting', 'standby', 'restoring', 'recovering', 'live', 'stopping', 'stopped'];
    expect(all.map((s) => [s, readiness(fine(s), T0, bounds)])).toEqual([
      ['starting', { ready: false, reasons: ['starting'] }],
      ['standby', { ready: true, reasons: ['standby: another instance of the group holds the partitions'] }],
      ['restoring', { ready: false, reasons: ['restoring: reading the checkpoint and starting the shards'] }],
      ['recovering', { ready: false, reasons: ['recovering: replaying input since the last checkpoint'] }],
      ['live', { ready: true, reasons: [] }],
      ['stopping', { ready: false, reasons: ['stopping'] }],
      ['stopped', { ready: false, reasons: ['stopped'] }],
    ]);
  });

  it('is live and ready up to one round behind, catching up beyond', () => {
    expect([readiness(fine('live', { lag: 100 }), T0, bounds), readiness(fine('live', { lag: 101 }), T0, bounds)]).toEqual([
      { ready: true, reasons: [] },
      { ready: false, reasons: ["catching up: 101 records behind the partitions' ends"] },
    ]);
  });

  it('says the broker is unreachable first, also when standing by, but not once stopped', () => {
    const failing = brokerError(brokerEvidence(T0), T0 + 1000, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    const at = (ms: number, o: Partial<HealthView> = {}) => readiness(fine('live', { broker: failing, ...o }), T0 + ms, bounds);
    expect([at(12_000), at(12_000, { status: 'standby' }), at(12_000, { status: 'stopped' })]).toEqual([
      { ready: false, reasons: ['broker unreachable: nothing fetched or committed for 12 s; last error 11 s ago: Connection error: connect ECONNREFUSED 127.0.0.1:9092'] },
      { ready: false, reasons: [
        'broker unreachable: nothing fetched or committed for 12 s; last error 11 s ago: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
        'standby: another instance of the group holds the partitions',
      ] },
      { ready: false, reasons: ['stopped'] },
    ]);
  });

  it('says commits are failing (how many, since when, the last cause, the next try) and why it is restoring', () => {
    const commits = failedAgain(failedAgain(NO_FAILURES, T0, 'broker unreachable: x', 0), T0 + 5000, 'dead letter of in/0 offset 7 (CEP_ERR_INPUT_FRAME): 5243000 bytes is over dlq\'s max.message.bytes 1048588', 2000);
    const restores = failedAgain(NO_FAILURES, T0 + 6000, 'Connection error: connect ECONNREFUSED', 4000);
    expect([
      readiness(fine('restoring', { commits }), T0 + 6000, bounds),
      readiness(fine('restoring', { commits, restores }), T0 + 7000, bounds),
      readiness(fine('live', { commits }), T0 + 9000, bounds),
    ]).toEqual([
      { ready: false, reasons: [
        "commits failing: 2 in a row since 2026-03-01T12:00:00.000Z, the last: dead letter of in/0 offset 7 (CEP_ERR_INPUT_FRAME): 5243000 bytes is over dlq's max.message.bytes 1048588; retrying in 1 s",
        'restoring: waiting before restoring the last checkpoint',
      ] },
      { ready: false, reasons: [
        "commits failing: 2 in a row since 2026-03-01T12:00:00.000Z, the last: dead letter of in/0 offset 7 (CEP_ERR_INPUT_FRAME): 5243000 bytes is over dlq's max.message.bytes 1048588",
        'restoring: 1 attempt(s) failed, the last: Connection error: connect ECONNREFUSED; retrying in 3 s',
      ] },
      { ready: false, reasons: [
        "commits failing: 2 in a row since 2026-03-01T12:00:00.000Z, the last: dead letter of in/0 offset 7 (CEP_ERR_INPUT_FRAME): 5243000 bytes is over dlq's max.message.bytes 1048588",
      ] },
    ]);
  });

  it('says when event time stalls while input arrives, or runs far ahead of the wall clock, after the status (live only)', () => {
    const wm = Date.parse('2026-03-01T11:00:00Z');
    const stalled = { watermark: { value: wm, movedAt: T0 }, lastInput: T0 + 119_000 };
    const ahead = { watermark: { value: T0 + 3_600_000, movedAt: T0 }, lastInput: T0 };
    expect([
      readiness(fine('live', stalled), T0 + 120_000, bounds),
      readiness(fine('live', { ...stalled, lag: 101 }), T0 + 120_000, bounds),
      readiness(fine('live', ahead), T0 + 1000, bounds),
      readiness(fine('recovering', ahead), T0 + 1000, bounds),
    ]).toEqual([
      { ready: false, reasons: ['watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for 120 s (a partition holds it back)'] },
      { ready: false, reasons: [
        "catching up: 101 records behind the partitions' ends",
        'watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for 120 s (a partition holds it back)',
      ] },
      { ready: false, reasons: ["watermark far ahead of the wall clock: 2026-03-01T13:00:00.000Z is 60 min in the future (records whose Kafka timestamps are in the future too passed the future-event guard; events on time are now late: fix the producer's clock or timestamps, then reset the watermark)"] },
      { ready: false, reasons: ['recovering: replaying input since the last checkpoint'] },
    ]);
  });
});
