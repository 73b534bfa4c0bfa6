// Streams and watermark resets through the pipeline facade (in-memory Kafka, simulated clock):
// - the streams view: each partition's time, activity and positions, and the global watermark;
// - a reset: refused with a code when it names no partition, lowers nothing, or the instance
//   is not live; applied, it lowers the partition's and the global watermark, holds the
//   partition (no idle flush undoes it), and the next commit carries a checkpoint with it: a
//   restart starts from the reset, still held;
// - a record read on the partition ends the hold; then idle input flushes as before; an
//   event between the new and the old watermark is on time (not dead-lettered).
import { beforeAll, describe, expect, it } from 'vitest';
import { idleCheckEveryMs } from '../../../src/service/idle.ts';
import { nothingToLower, serviceStreamControl } from '../../../src/service/stream-control.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { login } from '../../../src/testing.ts';
import { capturingLog, settle } from './support/fake-kafka.ts';
import { GROUP, config, consume, filled, harness, loadFixture, tps } from './support/pipeline-harness.ts';
import type { Fixture, Harness } from './support/pipeline-harness.ts';

let fx: Fixture = { rules: [], replayIds: [], input: [] };
beforeAll(async () => {
  fx = await loadFixture();
});

const OOO = config.engine.outOfOrdernessMs;
const IDLE_CHECK = idleCheckEveryMs(config.idleTimeoutMs);

/** Quiet for longer than the idle timeout, then the idle check (the broker confirms every end). */
async function idle(h: Harness): Promise<void> {
  h.clock.now += config.idleTimeoutMs + 100;
  await h.source.fetch(200);
  h.fire(IDLE_CHECK);
  await settle();
}

describe('stream control', () => {
  it('shows, refuses, applies, checkpoints and holds a watermark reset; a record on the partition ends the hold', async () => {
    const k = filled(fx);
    const h = harness(fx, k);
    const { log, lines } = capturingLog();
    const control = serviceStreamControl(h.p, OOO, log);
    await h.source.assign(tps);
    await consume(h);
    await settle();
    await h.p.commit(false);
    await idle(h);
    const maxOf = (p: number): number => Math.max(...fx.input.filter((r) => r.partition === p).map((r) => r.ts));
    const countOf = (p: number): number => fx.input.filter((r) => r.partition === p).length;
    const all = Math.max(maxOf(0), maxOf(1), maxOf(2));
    const streamView = (p: number, o: Partial<ReturnType<typeof control.streams>['streams'][number]> = {}) => ({
      topic: 'in', partition: p, maxEventTime: maxOf(p), watermark: maxOf(p) - OOO, active: false, held: false, position: countOf(p), committed: countOf(p), ...o,
    });
    // Everything read and idle: flushed up to the largest event time.
    expect(control.streams()).toEqual({ watermark: all, outOfOrdernessMs: OOO, streams: [streamView(0), streamView(1), streamView(2)] });

    await expect(control.resetWatermark('in', 7, 0)).rejects.toThrow('CEP_ERR_API_STREAM_NOT_FOUND: this instance reads no partition in/7; GET /api/v1/streams lists those it reads');
    await expect(control.resetWatermark('in', 1, all)).rejects.toThrow(`CEP_ERR_WATERMARK_RESET: ${nothingToLower(all, maxOf(1) - OOO, all)}`);
    await expect(serviceStreamControl({ heldRun: () => h.p.heldRun(), mode: 'recovering' }, OOO).resetWatermark('in', 1, 0))
      .rejects.toThrow('CEP_ERR_STATE_UNAVAILABLE: a watermark reset needs the instance live; it is recovering: try again once /readyz says ready');
    expect(() => serviceStreamControl({ heldRun: () => undefined, mode: 'standby' }, OOO).streams()).toThrow('CEP_ERR_STATE_UNAVAILABLE: this instance holds no partitions (standby); ask the instance that does');

    const to = maxOf(1) - 3_600_000;
    const checkpoints = h.p.counters.checkpoints;
    const reset = await control.resetWatermark('in', 1, to);
    expect(reset).toEqual({
      topic: 'in', partition: 1, to,
      before: { maxEventTime: maxOf(1), watermark: maxOf(1) - OOO, active: false, globalWatermark: all },
      after: { maxEventTime: to + OOO, watermark: to, active: true, globalWatermark: to },
    });
    const iso = (ms: number): string => new Date(ms).toISOString();
    expect(lines.map((l) => l.msg)).toEqual([
      `watermark of in/1 reset to ${iso(to)} (was ${iso(maxOf(1) - OOO)}), global watermark ${iso(to)} (was ${iso(all)}): held until it reads a record; checkpointed at the next commit`,
    ]);
    const held = { watermark: to, outOfOrdernessMs: OOO, streams: [streamView(0), streamView(1, { maxEventTime: to + OOO, watermark: to, active: true, held: true }), streamView(2)] };
    expect(control.streams()).toEqual(held);

    // The next commit carries a checkpoint with the reset in it.
    await h.p.commit(false);
    const cp = await k.readCheckpoint('state', GROUP);
    expect([h.p.counters.checkpoints - checkpoints, cp?.manifest.watermark, cp?.manifest.streams[1]]).toEqual([1, to, { topic: 'in', partition: 1, offset: String(countOf(1)), maxTs: to + OOO, active: true, held: true }]);

    // Held: idle input does not flush past the reset.
    await idle(h);
    await idle(h);
    expect([h.p.watermark(), control.streams()]).toEqual([to, held]);

    // A restart starts from the reset, still held.
    await h.p.stop();
    const again = harness(fx, k, { now: h.clock.now + 1000 });
    const control2 = serviceStreamControl(again.p, OOO);
    await again.source.assign(tps);
    expect(control2.streams()).toEqual({ ...held, streams: held.streams.map((s) => ({ ...s, committed: s.position })) });

    // An event between the new and the old watermark arrives on the partition: on time; the hold ends.
    const dead = (k.outputs.get('dlq') ?? []).length;
    const e = login('ev-after-reset', to + 60_000, { account: 'AC-RESET' });
    k.produce(tps[1] as (typeof tps)[number], Buffer.from(e.account), encodeConfluentValue(e, 1), e.ts);
    await again.source.fetch(200);
    await settle();
    await again.p.commit(false);
    expect([(k.outputs.get('dlq') ?? []).length - dead, control2.streams().streams[1]?.held, control2.streams().streams[1]?.maxEventTime]).toEqual([0, false, to + 60_000]);
    await idle(again);
    await idle(again);
    expect(again.p.watermark()).toBe(Math.max(maxOf(0), maxOf(2), to + 60_000));
    await again.p.stop();
  }, 120_000);
});
