// Broker evidence on a simulated clock: a success moves the last ok forward (never back), an
// error is kept with its time and a message cut to 200 characters; the broker counts as
// unreachable only when an error came after the last success and nothing went ok for the
// bound, and the first success after that ends it.
import { describe, expect, it } from 'vitest';
import { brokerError, brokerEvidence, brokerOk, brokerUnreachable } from '../../../src/service/broker-health.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const TIMEOUT = 10_000;
const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';

describe('broker evidence', () => {
  it('starts as a success at the start, moves the last ok forward only, and keeps the last error', () => {
    const start = brokerEvidence(T0);
    const failed = brokerError(start, T0 + 1000, REFUSED);
    const later = brokerOk(failed, T0 + 2000);
    expect([start, failed, later, brokerOk(later, T0 + 1500), brokerOk(later, T0 + 2000)]).toEqual([
      { lastOk: T0, lastError: undefined },
      { lastOk: T0, lastError: { at: T0 + 1000, message: REFUSED } },
      { lastOk: T0 + 2000, lastError: { at: T0 + 1000, message: REFUSED } },
      { lastOk: T0 + 2000, lastError: { at: T0 + 1000, message: REFUSED } },
      { lastOk: T0 + 2000, lastError: { at: T0 + 1000, message: REFUSED } },
    ]);
    // A success that is not later changes nothing: the same evidence comes back.
    expect([brokerOk(later, T0 + 1500) === later, brokerOk(later, T0 + 2000) === later]).toEqual([true, true]);
  });

  it('keeps the newest error, cut to 200 characters', () => {
    const long = `Request timed out: ${'x'.repeat(300)}`;
    const e = brokerError(brokerError(brokerEvidence(T0), T0 + 1000, REFUSED), T0 + 2000, long);
    expect(e).toEqual({ lastOk: T0, lastError: { at: T0 + 2000, message: `${long.slice(0, 199)}…` } });
    expect([e.lastError?.message.length, brokerError(e, T0, 'y'.repeat(200)).lastError?.message]).toEqual([200, 'y'.repeat(200)]);
  });

  it('is unreachable once an error came and nothing went ok for the bound, until the next success', () => {
    const failing = brokerError(brokerEvidence(T0), T0 + 1000, REFUSED);
    const at = (ms: number, e = failing) => brokerUnreachable(e, T0 + ms, TIMEOUT);
    expect([
      at(60_000, brokerEvidence(T0)), // silence without an error: a quiet broker, not an outage
      at(9_999),
      at(10_000),
      at(12_400),
      at(12_600, brokerOk(failing, T0 + 11_000)), // the success after the error ends it
      at(25_000, brokerOk(failing, T0 + 11_000)), // and silence after that success is not an outage either
      at(25_000, brokerError(brokerOk(failing, T0 + 11_000), T0 + 12_000, 'Request timed out')), // a new error: counted from the last success
    ]).toEqual([
      undefined,
      undefined,
      `broker unreachable: nothing fetched or committed for 10 s; last error 9 s ago: ${REFUSED}`,
      `broker unreachable: nothing fetched or committed for 12 s; last error 11 s ago: ${REFUSED}`,
      undefined,
      undefined,
      'broker unreachable: nothing fetched or committed for 14 s; last error 13 s ago: Request timed out',
    ]);
  });
});
