// The pipeline when things go wrong, on a simulated clock (support/pipeline-harness.ts):
// - a commit the broker keeps refusing (a record over a topic's limit) is retried by restoring
//   the last checkpoint after waits that grow (0 s, 1 s, 2 s), never in a tight loop; /readyz
//   says which record and which limit, the logs carry CEP_ERR_COMMIT_TOO_LARGE, the limits are
//   read again before each retry, and once it goes through the outputs are exactly once;
// - a restore that fails because the broker is unreachable is tried again after 1 s, 2 s, ...
//   (CEP_ERR_RESTORE_FAILED), /readyz says the broker is unreachable, and it goes live after;
// - connection errors while live, then silence: "broker unreachable" after the bound, logged
//   once (CEP_ERR_KAFKA_UNREACHABLE), until the next fetch;
// - a watermark moved far past the wall clock is reported.
import { beforeAll, describe, expect, it } from 'vitest';
import { CommitError } from '../../../src/kafka/sink.ts';
import type { OutputRecord } from '../../../src/kafka/sink.ts';
import { settle } from './support/fake-kafka.ts';
import { GROUP, START, alertIds, consume, deadKeys, filled, finish, harness, loadFixture, tps } from './support/pipeline-harness.ts';
import type { Fixture, Harness } from './support/pipeline-harness.ts';

let fx: Fixture = { rules: [], replayIds: [], input: [] };
let reference = { alerts: [] as string[], dead: [] as string[] };
beforeAll(async () => {
  fx = await loadFixture();
  const k = filled(fx);
  const h = harness(fx, k);
  await h.source.assign(tps);
  await consume(h);
  await finish(h);
  reference = { alerts: alertIds(k), dead: deadKeys(k) };
}, 120_000);

/** Fetches until the restored run is live again (the recovery re-read to the committed offsets). */
async function untilLive(h: Harness): Promise<void> {
  for (let i = 0; i < 500 && h.p.mode !== 'live'; i++) {
    await h.source.fetch(200);
    await settle();
  }
  expect(h.p.mode).toBe('live');
}

const errors = (h: Harness): unknown[][] => h.lines.filter((l) => l.level === 50).map((l) => [l.code, l.msg]);
const iso = (ms: number): string => new Date(ms).toISOString();

describe('pipeline failures', () => {
  it('a commit refused again and again waits longer before each retry, says why, and commits exactly once when it goes through', async () => {
    const k = filled(fx);
    const h = harness(fx, k);
    await h.source.assign(tps);
    await consume(h, fx.input.length * 0.3);
    h.clock.now += 1000; // the next commit carries a checkpoint
    await settle();
    await h.p.commit(false);
    await consume(h, fx.input.length * 0.2, 0);
    await settle();

    // The broker refuses every transaction: a 2 MiB dead letter over the dead-letter topic's limit.
    const big: OutputRecord = {
      key: 'AC1', value: Buffer.alloc(2 * 1024 * 1024),
      headers: { 'cepheus.error.code': 'CEP_ERR_INPUT_AVRO_DECODE', 'cepheus.error.message': 'x', 'cepheus.source.topic': 'in', 'cepheus.source.partition': '1', 'cepheus.source.offset': '42' },
    };
    const tooLarge = Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE' });
    k.failing = () => new CommitError('send', [{ topic: 'dlq', records: [big] }], tooLarge);
    const bytes = 2 * 1024 * 1024 + 40 + 3 + [['cepheus.error.code', 'CEP_ERR_INPUT_AVRO_DECODE'], ['cepheus.error.message', 'x'], ['cepheus.source.topic', 'in'], ['cepheus.source.partition', '1'], ['cepheus.source.offset', '42']]
      .reduce((n, [a, b]) => n + (a as string).length + (b as string).length + 10, 0) + 61;
    const reason = `dead letter of in/1 offset 42 (CEP_ERR_INPUT_AVRO_DECODE): ${bytes} bytes is over dlq's max.message.bytes 1048588`;

    const first = h.clock.now;
    await h.p.commit(false); // 1st failure: restored at once
    await untilLive(h);
    await h.p.commit(false); // 2nd: restored after 1 s
    await settle();
    expect([h.p.mode, h.sleeps, h.p.readiness()]).toEqual(['restoring', [1000], { ready: false, reasons: [
      `commits failing: 2 in a row since ${iso(first)}, the last: ${reason}; retrying in 1 s`,
      'restoring: waiting before restoring the last checkpoint',
    ] }]);
    h.wake();
    await untilLive(h);
    await h.p.commit(false); // 3rd: after 2 s
    await settle();
    expect([h.sleeps, h.p.readiness().reasons[0]]).toEqual([[1000, 2000], `commits failing: 3 in a row since ${iso(first)}, the last: ${reason}; retrying in 2 s`]);

    k.failing = undefined; // the operator raised the limit
    h.wake();
    await untilLive(h);
    await h.p.commit(false); // goes through, with a checkpoint
    await consume(h);
    expect([h.p.readiness(), h.p.health.levels(h.clock.now), h.p.counters.restores, h.refreshed.count]).toEqual([
      { ready: true, reasons: [] },
      { brokerUnreachable: 0, commitFailuresInARow: 0, commitFailures: new Map([['too-large', 3]]), restoreFailures: 0 },
      4, 3,
    ]);
    expect(errors(h)).toEqual([
      ['CEP_ERR_COMMIT_TOO_LARGE', `commit failed (1 in a row): ${reason}; restoring the last checkpoint and trying again`],
      ['CEP_ERR_COMMIT_TOO_LARGE', `commit failed (2 in a row): ${reason}; restoring the last checkpoint in 1 s and trying again`],
      ['CEP_ERR_COMMIT_TOO_LARGE', `commit failed (3 in a row): ${reason}; restoring the last checkpoint in 2 s and trying again`],
    ]);
    expect(h.lines.filter((l) => l.msg === 'commits succeed again').map((l) => [l.failures, l.since])).toEqual([[3, iso(first)]]);
    await finish(h);
    expect({ alerts: alertIds(k), dead: deadKeys(k) }).toEqual(reference);
  }, 120_000);

  it('a restore that fails on an unreachable broker is tried again after growing waits, and /readyz says why', async () => {
    const k = filled(fx);
    const down = new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    let failing = 2;
    const h = harness(fx, k, { now: START }, async () => {
      if (failing-- > 0) throw down;
      return k.readCheckpoint('state', GROUP);
    });
    const assigning = h.source.assign(tps);
    await settle();
    expect([h.sleeps, h.p.readiness()]).toEqual([[1000], { ready: false, reasons: [
      'restoring: 1 attempt(s) failed, the last: Connection error: connect ECONNREFUSED 127.0.0.1:9092; retrying in 1 s',
    ] }]);
    h.wake(); // START + 1 s: the second attempt fails too
    await settle();
    h.clock.now += 9500;
    h.fire(1000);
    expect([h.sleeps, h.p.readiness(), h.p.health.levels(h.clock.now).brokerUnreachable]).toEqual([[1000, 2000], { ready: false, reasons: [
      'broker unreachable: nothing fetched or committed for 11 s; last error 10 s ago: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      'restoring: 2 attempt(s) failed, the last: Connection error: connect ECONNREFUSED 127.0.0.1:9092',
    ] }, 1]);
    h.wake(); // the broker is back
    await assigning;
    await consume(h);
    h.fire(1000);
    expect([h.p.mode, h.p.readiness(), h.p.health.levels(h.clock.now)]).toEqual(['live', { ready: true, reasons: [] }, { brokerUnreachable: 0, commitFailuresInARow: 0, commitFailures: new Map(), restoreFailures: 2 }]);
    expect(errors(h)).toEqual([
      ['CEP_ERR_RESTORE_FAILED', 'restoring the checkpoint failed (1 in a row): Connection error: connect ECONNREFUSED 127.0.0.1:9092; trying again in 1 s'],
      ['CEP_ERR_RESTORE_FAILED', 'restoring the checkpoint failed (2 in a row): Connection error: connect ECONNREFUSED 127.0.0.1:9092; trying again in 2 s'],
      ['CEP_ERR_KAFKA_UNREACHABLE', 'broker unreachable: nothing fetched or committed for 11 s; last error 10 s ago: Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
    ]);
    expect(h.lines.filter((l) => l.msg === 'broker reachable again').length).toBe(1);
    await h.p.stop();
  });

  it('says the broker is unreachable after connection errors and silence, once, until the consumer fetches again', async () => {
    const h = harness(fx, filled(fx));
    await h.source.assign(tps);
    await consume(h);
    await h.source.fetch(0); // a fetch: the broker answered now
    h.p.brokerError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    h.clock.now += 9999;
    const before = h.p.readiness();
    h.clock.now += 1;
    h.fire(1000);
    h.fire(1000);
    const during = h.p.readiness();
    await h.source.fetch(0);
    h.fire(1000);
    expect([before, during, h.p.readiness()]).toEqual([
      { ready: true, reasons: [] },
      { ready: false, reasons: ['broker unreachable: nothing fetched or committed for 10 s; last error 10 s ago: Connection error: connect ECONNREFUSED 127.0.0.1:9092'] },
      { ready: true, reasons: [] },
    ]);
    expect(h.lines.filter((l) => (l.level as number) >= 40 || l.msg === 'broker reachable again').map((l) => [l.code, l.msg])).toEqual([
      ['CEP_ERR_KAFKA_UNREACHABLE', 'broker unreachable: nothing fetched or committed for 10 s; last error 10 s ago: Connection error: connect ECONNREFUSED 127.0.0.1:9092'],
      [undefined, 'broker reachable again'],
    ]);
    await h.p.stop();
  });

  it('reports a watermark far ahead of the wall clock', async () => {
    const early = Date.parse('2026-01-01T00:00:00Z'); // a wall clock before the fixture's events
    const h = harness(fx, filled(fx), { now: early });
    await h.source.assign(tps);
    await consume(h);
    const wm = h.p.watermark();
    h.fire(1000);
    expect(h.p.readiness()).toEqual({ ready: false, reasons: [
      `watermark far ahead of the wall clock: ${iso(wm)} is ${Math.round((wm - h.clock.now) / 60_000)} min in the future (records whose Kafka timestamps are in the future too passed the future-event guard; events on time are now late: fix the producer's clock or timestamps, then reset the watermark)`,
    ] });
    expect(h.lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([h.p.readiness().reasons[0]]);
    await h.p.stop();
  });
});
