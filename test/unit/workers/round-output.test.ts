// A round's output is its parts appended in order: ingest results, deliver results, whole
// outputs all merge through one function.
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/core/alert.ts';
import type { DeliverResult, IngestResult, LateRef, Rejected } from '../../../src/workers/protocol.ts';
import { emptyOutput, mergeOutput } from '../../../src/workers/round-output.ts';

const late = (eventId: string): LateRef => ({ stream: 0, offset: 1, eventId, ts: 1, watermark: 2, record: null });
const rejected: Rejected = { stream: 1, offset: 4, code: 'CEP_ERR_INPUT_FRAME', message: 'bad', record: { key: null, value: new Uint8Array([1]), timestamp: 0 } };
const alert = (id: string): Alert => ({ id } as Alert);

describe('round output', () => {
  it('appends ingest then deliver results, and outputs onto outputs, in order', () => {
    const ingest: IngestResult = { op: 'ingest', forwards: [], maxTs: [[0, 5]], rejected: [rejected], late: [late('a')], values: 3, micros: 9 };
    const deliver: DeliverResult = { op: 'deliver', alerts: [alert('x'), alert('y')], late: [late('b')], ruleErrors: [{ ruleId: 'r', key: 'k', eventId: 'e', error: 'boom' }], overflowDropped: 2, micros: 9, evaluations: new Float64Array(0) };
    const round = emptyOutput();
    mergeOutput(round, ingest);
    mergeOutput(round, deliver);
    const taken = emptyOutput();
    mergeOutput(taken, round);
    mergeOutput(taken, round);
    expect(taken).toEqual({
      alerts: [alert('x'), alert('y'), alert('x'), alert('y')],
      rejected: [rejected, rejected],
      late: [late('a'), late('b'), late('a'), late('b')],
      ruleErrors: [deliver.ruleErrors[0], deliver.ruleErrors[0]],
      overflowDropped: 4,
      values: 6,
    });
  });
});
