// Counters: a committed transaction adds its outputs (and sets the checkpoint size when it
// carried one), a recovery counts its replay as recovered and its outputs as suppressed, and
// the /metrics signals are read from them.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import { countCommitted, countRecovered, createCounters, signalsOf } from '../../../src/service/counters.ts';
import type { RoundsOutput } from '../../../src/workers/rounds.ts';

const output = (alerts: number, values: number): RoundsOutput => ({
  alerts: Array.from({ length: alerts }, (_, i) => ({ id: `a${i}` }) as unknown as Alert),
  rejected: [{ stream: 0, offset: 1, code: 'CEP_ERR_INPUT_FRAME', message: 'x', record: { key: null, value: new Uint8Array(0), timestamp: 0 } }],
  late: [], ruleErrors: [{ ruleId: 'r', key: 'k', eventId: 'e', error: 'boom' }], overflowDropped: 2, values,
});

describe('counters', () => {
  it('count committed transactions, and recovered input apart', () => {
    const c = createCounters();
    const byCode = new Map<string, number>();
    countCommitted(c, byCode, { output: output(2, 100), deadLetters: 1, late: 3, codes: new Map([['CEP_ERR_INPUT_FRAME', 1]]), checkpointBytes: undefined, byReference: 1, trimmed: [] });
    countCommitted(c, byCode, {
      output: output(1, 50), deadLetters: 2, late: 0, codes: new Map([['CEP_ERR_INPUT_FRAME', 1], ['CEP_ERR_AVRO_DECODE', 1]]), checkpointBytes: 4096, byReference: 0,
      trimmed: [{ id: 'a0', ruleId: 'r', kept: 10, total: 5000 }],
    });
    expect(countRecovered(c, output(3, 70))).toBe(4);
    expect({ c, byCode }).toEqual({
      c: {
        values: 150, alerts: 3, deadLetters: 3, late: 3, ruleErrors: 2, overflowDropped: 4, commits: 2, checkpoints: 1, checkpointBytes: 4096,
        restores: 0, recoveredValues: 70, suppressedOutputs: 4, backpressurePauses: 0, unmeasuredLatency: 0, rounds: 0, roundValues: 0, byReference: 1, alertsTrimmed: 1,
      },
      byCode: new Map([['CEP_ERR_INPUT_FRAME', 2], ['CEP_ERR_AVRO_DECODE', 1]]),
    });
  });

  it('export the signals /metrics reads, health included', () => {
    const c = {
      ...createCounters(), values: 9, alerts: 1, late: 2, commits: 3, checkpoints: 1, checkpointBytes: 77, restores: 1, recoveredValues: 4, suppressedOutputs: 5, backpressurePauses: 6,
      rounds: 7, roundValues: 8, unmeasuredLatency: 1, byReference: 2, alertsTrimmed: 3,
    };
    const dead = new Map([['CEP_ERR_INPUT_EMPTY', 1]]);
    const failures = new Map([['too-large', 2], ['unreachable', 1]]);
    const health = { brokerUnreachable: 1, commitFailuresInARow: 3, commitFailures: failures, restoreFailures: 4 };
    const spaces = [{ name: 'account', keys: 40, maxKeys: 500_000, evictedIdle: 0, evictedActive: 0 }, { name: 'ip', keys: 2, maxKeys: null, evictedIdle: 0, evictedActive: 0 }];
    const none = { brokerUnreachable: 0, commitFailuresInARow: 0, commitFailures: new Map<string, number>(), restoreFailures: 0 };
    expect([
      signalsOf(c, dead, { consumerLag: 12, watermark: 1_700_000_000_000, shardBusyMs: [5, 6], storeRecords: 3, health, keySpaces: spaces }),
      signalsOf(createCounters(), new Map(), { consumerLag: 0, watermark: -Infinity, shardBusyMs: [], storeRecords: 0, health: none, keySpaces: [] }).gauges,
    ]).toEqual([{
      counters: {
        events: 9, alerts: 1, late: 2, commits: 3, checkpoints: 1, restores: 1, recoveredEvents: 4, suppressedOutputs: 5, backpressurePauses: 6,
        rounds: 7, roundEvents: 8, latencyUnmeasured: 1, storeRecords: 3, deadLettersByReference: 2, alertsTrimmed: 3, restoreFailures: 4,
      },
      gauges: { consumerLag: 12, watermark: 1_700_000_000_000, checkpointBytes: 77, keys: 42, brokerUnreachable: 1, commitFailuresInARow: 3 },
      deadLetters: dead,
      commitFailures: failures,
      shardBusyMs: [5, 6],
      keySpaces: spaces,
    }, { consumerLag: 0, watermark: 0, checkpointBytes: 0, keys: 0, brokerUnreachable: 0, commitFailuresInARow: 0 }]);
  });
});
