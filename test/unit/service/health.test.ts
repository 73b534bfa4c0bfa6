// The service's health on a simulated clock (every call gets its `now`), logging to memory:
// - the broker: unreachable logged once with CEP_ERR_KAFKA_UNREACHABLE however often checked,
//   "broker reachable again" once at the next success;
// - commit failures: each logged with its code, cause, streak and wait; an unreachable cause is
//   broker evidence; counted by cause for /metrics; "commits succeed again" once, at the next commit;
// - restore failures: each logged with CEP_ERR_RESTORE_FAILED; only connection errors are broker evidence;
// - event time: stalled / far ahead logged once per change, "event time moves again" when it
//   clears, judged while live only (leaving live says nothing, a restore judges it afresh);
//   readiness reads how long the watermark stood from the checks, and a restore starts that
//   track again.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CommitFailure } from '../../../src/service/commit-failure.ts';
import { Health } from '../../../src/service/health.ts';
import type { PipelineView } from '../../../src/service/health.ts';
import { capturingLog } from './support/fake-kafka.ts';

const T0 = Date.parse('2026-03-01T12:00:00Z');
const WM = Date.parse('2026-03-01T11:00:00Z');
const config = { roundMaxValues: 100, health: { brokerTimeoutMs: 10_000, watermarkStallMs: 120_000, watermarkAheadMs: 900_000 } };
const REFUSED = 'Connection error: connect ECONNREFUSED 127.0.0.1:9092';
const AHEAD_REMEDY = "(records whose Kafka timestamps are in the future too passed the future-event guard; events on time are now late: fix the producer's clock or timestamps, then reset the watermark)";
const live = (o: Partial<PipelineView> = {}): PipelineView => ({ status: 'live', lag: 0, watermark: WM, lastInput: T0, ...o });

let h: Health;
let lines: Record<string, unknown>[];
beforeEach(() => {
  const c = capturingLog();
  h = new Health(config, c.log, T0);
  lines = c.lines;
});

/** The log lines, an error reduced to its message (its stack says nothing here). */
const logged = (): Record<string, unknown>[] => lines.map(({ err, ...l }) => (err === undefined ? l : { ...l, err: (err as { message: string }).message }));

describe('health', () => {
  it('logs the broker unreachable once, however often checked, and reachable again once', () => {
    h.error(T0 + 1000, REFUSED);
    const levels: number[] = [];
    for (const ms of [9_999, 10_000, 11_000, 12_000]) {
      h.check(T0 + ms, live());
      levels.push(h.levels(T0 + ms).brokerUnreachable);
    }
    h.ok(T0 + 12_500);
    h.ok(T0 + 13_000);
    h.check(T0 + 14_000, live());
    levels.push(h.levels(T0 + 14_000).brokerUnreachable);
    expect(levels).toEqual([0, 1, 1, 1, 0]);
    expect(logged()).toEqual([
      { level: 50, code: 'CEP_ERR_KAFKA_UNREACHABLE', msg: `broker unreachable: nothing fetched or committed for 10 s; last error 9 s ago: ${REFUSED}` },
      { level: 30, msg: 'broker reachable again' },
    ]);
  });

  it('logs each commit failure with its code and wait, counts them by cause, and says once when commits succeed again', () => {
    const other: CommitFailure = { cause: 'other', code: 'CEP_ERR_COMMIT_FAILED', reason: 'broker said no' };
    const record = { topic: 'dlq', what: 'dead letter of in/0 offset 7 (CEP_ERR_INPUT_FRAME)', bytes: 5_243_000, limit: 1_048_588 };
    const tooLarge: CommitFailure = { cause: 'too-large', code: 'CEP_ERR_COMMIT_TOO_LARGE', reason: `${record.what}: 5243000 bytes is over dlq's max.message.bytes 1048588`, record };
    const unreachable: CommitFailure = { cause: 'unreachable', code: 'CEP_ERR_COMMIT_FAILED', reason: `broker unreachable (at sendOffsets): ${REFUSED}` };
    const streaks = [
      h.commitFailed(T0 + 1000, other, 0, new Error('broker said no')),
      h.commitFailed(T0 + 2000, tooLarge, 1000, new Error('The request included a message larger than the max message size the server will accept')),
      h.commitFailed(T0 + 5000, unreachable, 2000, new Error(REFUSED)),
    ];
    expect(streaks).toEqual([
      { count: 1, since: T0 + 1000, last: 'broker said no', retryAt: T0 + 1000 },
      { count: 2, since: T0 + 1000, last: tooLarge.reason, retryAt: T0 + 3000 },
      { count: 3, since: T0 + 1000, last: unreachable.reason, retryAt: T0 + 7000 },
    ]);
    // The unreachable cause is broker evidence: silent since the start, the broker counts as unreachable.
    h.check(T0 + 10_000, live());
    const failing = { streak: h.commitStreak, levels: h.levels(T0 + 10_000), readiness: h.readiness(T0 + 10_000, live()) };
    h.committed(T0 + 11_000);
    h.committed(T0 + 12_000);
    expect([failing, { streak: h.commitStreak, levels: h.levels(T0 + 12_000), readiness: h.readiness(T0 + 12_000, live()) }]).toEqual([
      {
        streak: 3,
        levels: { brokerUnreachable: 1, commitFailuresInARow: 3, commitFailures: new Map([['other', 1], ['too-large', 1], ['unreachable', 1]]), restoreFailures: 0 },
        readiness: { ready: false, reasons: [
          `broker unreachable: nothing fetched or committed for 10 s; last error 5 s ago: broker unreachable (at sendOffsets): ${REFUSED}`,
          `commits failing: 3 in a row since 2026-03-01T12:00:01.000Z, the last: broker unreachable (at sendOffsets): ${REFUSED}`,
        ] },
      },
      // Failures since the process started stay counted; the streak is over.
      { streak: 0, levels: { brokerUnreachable: 0, commitFailuresInARow: 0, commitFailures: new Map([['other', 1], ['too-large', 1], ['unreachable', 1]]), restoreFailures: 0 }, readiness: { ready: true, reasons: [] } },
    ]);
    expect(logged()).toEqual([
      { level: 50, code: 'CEP_ERR_COMMIT_FAILED', cause: 'other', failures: 1, retryInMs: 0, err: 'broker said no',
        msg: 'commit failed (1 in a row): broker said no; restoring the last checkpoint and trying again' },
      { level: 50, code: 'CEP_ERR_COMMIT_TOO_LARGE', cause: 'too-large', failures: 2, retryInMs: 1000, record, err: 'The request included a message larger than the max message size the server will accept',
        msg: `commit failed (2 in a row): ${tooLarge.reason}; restoring the last checkpoint in 1 s and trying again` },
      { level: 50, code: 'CEP_ERR_COMMIT_FAILED', cause: 'unreachable', failures: 3, retryInMs: 2000, err: REFUSED,
        msg: `commit failed (3 in a row): ${unreachable.reason}; restoring the last checkpoint in 2 s and trying again` },
      { level: 50, code: 'CEP_ERR_KAFKA_UNREACHABLE', msg: `broker unreachable: nothing fetched or committed for 10 s; last error 5 s ago: broker unreachable (at sendOffsets): ${REFUSED}` },
      { level: 30, msg: 'broker reachable again' },
      { level: 30, failures: 3, since: '2026-03-01T12:00:01.000Z', msg: 'commits succeed again' },
    ]);
  });

  it('logs each restore failure with its code; only a connection error is broker evidence; a restore ends the streak', () => {
    const restoring: PipelineView = { status: 'restoring', lag: 0, watermark: undefined, lastInput: T0 };
    h.restoreFailed(T0 + 1000, 'the state topic has no record at offset 12', 1000, false, new Error('gap'));
    h.check(T0 + 20_000, restoring); // silent for 20 s, but nothing said the broker is unreachable
    const first = { levels: h.levels(T0 + 20_000), readiness: h.readiness(T0 + 20_000, restoring) };
    h.restoreFailed(T0 + 21_000, REFUSED, 2000, true, new Error(REFUSED));
    h.check(T0 + 22_000, restoring);
    const second = { levels: h.levels(T0 + 22_000), readiness: h.readiness(T0 + 22_000, restoring) };
    h.restored(T0 + 24_000);
    h.check(T0 + 25_000, live());
    expect([first, second, { levels: h.levels(T0 + 25_000), readiness: h.readiness(T0 + 25_000, live()) }]).toEqual([
      {
        levels: { brokerUnreachable: 0, commitFailuresInARow: 0, commitFailures: new Map(), restoreFailures: 1 },
        readiness: { ready: false, reasons: ['restoring: 1 attempt(s) failed, the last: the state topic has no record at offset 12'] },
      },
      {
        levels: { brokerUnreachable: 1, commitFailuresInARow: 0, commitFailures: new Map(), restoreFailures: 2 },
        readiness: { ready: false, reasons: [
          `broker unreachable: nothing fetched or committed for 22 s; last error 1 s ago: ${REFUSED}`,
          `restoring: 2 attempt(s) failed, the last: ${REFUSED}; retrying in 1 s`,
        ] },
      },
      { levels: { brokerUnreachable: 0, commitFailuresInARow: 0, commitFailures: new Map(), restoreFailures: 2 }, readiness: { ready: true, reasons: [] } },
    ]);
    expect(logged()).toEqual([
      { level: 50, code: 'CEP_ERR_RESTORE_FAILED', failures: 1, retryInMs: 1000, err: 'gap',
        msg: 'restoring the checkpoint failed (1 in a row): the state topic has no record at offset 12; trying again in 1 s' },
      { level: 50, code: 'CEP_ERR_RESTORE_FAILED', failures: 2, retryInMs: 2000, err: REFUSED,
        msg: `restoring the checkpoint failed (2 in a row): ${REFUSED}; trying again in 2 s` },
      { level: 50, code: 'CEP_ERR_KAFKA_UNREACHABLE', msg: `broker unreachable: nothing fetched or committed for 22 s; last error 1 s ago: ${REFUSED}` },
      { level: 30, msg: 'broker reachable again' },
    ]);
  });

  it('logs event time stalled or far ahead once per change while live, and when it moves again', () => {
    const ahead = T0 + 3_600_000;
    const checks: [number, PipelineView][] = [
      [0, live({ status: 'recovering', watermark: ahead })], // not live: nothing about event time
      [0, live()], // the track starts
      [119_999, live({ lastInput: T0 + 119_000 })],
      [120_000, live({ lastInput: T0 + 119_000 })], // stalled
      [150_000, live({ lastInput: T0 + 149_000 })], // still: said already
      [160_000, live({ watermark: WM + 1000, lastInput: T0 + 159_000 })], // moves
      [170_000, live({ watermark: ahead, lastInput: T0 + 169_000 })], // far ahead
      [290_000, live({ watermark: ahead, lastInput: T0 + 289_000 })], // far ahead and stalled
      [300_000, live({ watermark: ahead + 1000, lastInput: T0 + 299_000 })], // only far ahead again
      [310_000, live({ watermark: WM + 2000, lastInput: T0 + 309_000 })],
    ];
    for (const [ms, view] of checks) h.check(T0 + ms, view);
    expect(logged()).toEqual([
      { level: 40, msg: 'watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for 120 s (a partition holds it back)' },
      { level: 30, msg: 'event time moves again' },
      { level: 40, msg: `watermark far ahead of the wall clock: 2026-03-01T13:00:00.000Z is 57 min in the future ${AHEAD_REMEDY}` },
      { level: 40, msg: [
        'watermark stalled: input keeps arriving but event time has stood at 2026-03-01T13:00:00.000Z for 120 s (a partition holds it back)',
        `watermark far ahead of the wall clock: 2026-03-01T13:00:00.000Z is 55 min in the future ${AHEAD_REMEDY}`,
      ].join('; ') },
      { level: 40, msg: `watermark far ahead of the wall clock: 2026-03-01T13:00:01.000Z is 55 min in the future ${AHEAD_REMEDY}` },
      { level: 30, msg: 'event time moves again' },
    ]);
  });

  it('does not say event time moves again when the run leaves live; a restore judges it afresh', () => {
    const arriving = (ms: number, o: Partial<PipelineView> = {}): [number, PipelineView] => [ms, live({ lastInput: T0 + ms - 1000, ...o })];
    const checks: [number, PipelineView][] = [
      arriving(0),
      arriving(120_000), // stalled
      arriving(130_000, { status: 'restoring', watermark: undefined }), // a commit failed: no run, nothing moved
      arriving(135_000, { status: 'recovering' }),
    ];
    for (const [ms, view] of checks) h.check(T0 + ms, view);
    h.restored(T0 + 140_000);
    for (const [ms, view] of [arriving(150_000), arriving(269_999), arriving(270_000)]) h.check(T0 + ms, view);
    const stalled = (s: number) => ({ level: 40, msg: `watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for ${s} s (a partition holds it back)` });
    expect(logged()).toEqual([stalled(120), stalled(120)]);
  });

  it('reads how long the watermark stood from the checks; a restore starts that track again', () => {
    const arriving = (ms: number): PipelineView => live({ lastInput: T0 + ms - 1000 });
    const stalled = { ready: false, reasons: ['watermark stalled: input keeps arriving but event time has stood at 2026-03-01T11:00:00.000Z for 120 s (a partition holds it back)'] };
    const unchecked = h.readiness(T0 + 120_000, arriving(120_000)); // no check saw the watermark before: it counts as moved now
    h.check(T0, live());
    const checked = h.readiness(T0 + 120_000, arriving(120_000));
    h.restored(T0 + 130_000);
    const restored = h.readiness(T0 + 130_000, arriving(130_000)); // the old track would say 130 s
    h.check(T0 + 130_000, live());
    expect([unchecked, checked, restored, h.readiness(T0 + 250_000, arriving(250_000))]).toEqual([{ ready: true, reasons: [] }, stalled, { ready: true, reasons: [] }, stalled]);
  });
});
