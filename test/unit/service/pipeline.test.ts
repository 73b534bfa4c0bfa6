// The pipeline facade over an in-memory Kafka (support/fake-kafka.ts) and in-process shards:
// - a standby instance (no partitions) is ready, and says why;
// - the bundled fixture, in 3 partitions, commits replay's alerts once each;
// - a crash (the instance abandoned after a checkpoint and later commits) and a restart that
//   recovers (re-reads to the committed offsets, outputs suppressed) commit exactly what the
//   uninterrupted run commits; so does a run whose commit fails once (restored in place);
// - a batch fetched while a restore runs is dropped (the restore seeks: it comes again);
// - a fenced commit stops the instance; stop pauses with its own reason.
import { beforeAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../../src/cli/replay.ts';
import { validateConfig } from '../../../src/config/config.ts';
import { inputsOf } from '../../../src/config/inputs.ts';
import { shardOf } from '../../../src/core/order.ts';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../src/io/read-events.ts';
import type { OutputRecord } from '../../../src/kafka/sink.ts';
import { LatencyRecorder } from '../../../src/metrics/latency.ts';
import { loadRules } from '../../../src/rules/load-rules.ts';
import { idleCheckEveryMs } from '../../../src/service/idle.ts';
import { Pipeline } from '../../../src/service/pipeline.ts';
import { InProcessShards } from '../../../src/workers/shard-pool.ts';
import { FakeKafka, FakeSource, capturingLog, settle } from './support/fake-kafka.ts';

const GROUP = 'g';
const PARTITIONS = 3;
const tps = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'in', partition }));
const config = validateConfig({
  kafka: { brokers: ['h:1'], groupId: GROUP }, registry: { url: 'http://registry' },
  topics: { login: 'in', order: 'in', trade: 'in', transfer: 'in' }, output: { alerts: 'alerts', deadLetter: 'dlq', state: 'state' },
  commitIntervalMs: 100, snapshotIntervalMs: 1000, idleTimeoutMs: 1500, roundMaxValues: 512, maxInFlight: 2,
});
const schemaId = (kind: EventKind): number => EVENT_KINDS.indexOf(kind) + 1;

let rules: { id: string; version: number }[] = [];
let replayIds: string[] = [];
/** The fixture as 3 partitions keyed by account. */
const input: { partition: number; key: Buffer; value: Buffer; ts: number }[] = [];

beforeAll(async () => {
  rules = (await loadRules()).map((l) => ({ id: l.rule.id, version: l.rule.version }));
  replayIds = (await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false })).alerts.map((a) => a.id).sort();
  for await (const e of readEventsStrict('fixtures/default.avro')) {
    input.push({ partition: shardOf(e.account, PARTITIONS), key: Buffer.from(e.account), value: encodeConfluentValue(e, schemaId(e.kind)), ts: e.ts });
  }
});

function filled(): FakeKafka {
  const k = new FakeKafka();
  for (const r of input) k.produce({ topic: 'in', partition: r.partition }, r.key, r.value, r.ts);
  return k;
}

interface Harness {
  readonly p: Pipeline;
  readonly source: FakeSource;
  readonly lines: Record<string, unknown>[];
  readonly fatal: Error[];
  readonly clock: { now: number };
  fire(ms: number): void;
}

function harness(kafka: FakeKafka, clock = { now: 1_000_000 }, readCheckpoint = () => kafka.readCheckpoint('state', GROUP)): Harness {
  const { log, lines } = capturingLog();
  const source = new FakeSource(kafka);
  const timers: { ms: number; f: () => void }[] = [];
  const fatal: Error[] = [];
  const known = new Set<number>();
  const p = new Pipeline({
    config, inputs: inputsOf(config), log, source, sink: kafka.sink, admin: kafka.admin,
    resolver: {
      missing: (ids) => [...ids].filter((id) => !known.has(id)),
      resolve: async (ids) => ids.map((id) => {
        known.add(id);
        return { id, schema: null, kind: EVENT_KINDS[id - 1] as EventKind };
      }),
    },
    encodeAlert: async (a) => Buffer.from(a.id), readCheckpoint, backend: () => new InProcessShards(2), rules, latency: new LatencyRecorder(),
    onFatal: (e) => fatal.push(e), now: () => clock.now,
    every: (ms, f) => {
      const t = { ms, f };
      timers.push(t);
      return () => timers.splice(timers.indexOf(t), 1);
    },
  });
  void source.start(p.handlers());
  p.start();
  return { p, source, lines, fatal, clock, fire: (ms) => timers.filter((t) => t.ms === ms).forEach((t) => t.f()) };
}

/** Fetches (`tick` ms apart) until `limit` records were read or nothing comes any more, committing every 4th fetch. */
async function consume(h: Harness, limit = Infinity, tick = 100): Promise<void> {
  let read = 0;
  let fetches = 0;
  let empty = 0;
  while (read < limit && empty < 3) {
    const n = await h.source.fetch(200);
    read += n;
    if (n === 0) {
      empty++;
      await settle();
    } else empty = 0;
    h.clock.now += tick;
    if (++fetches % 4 === 0) await h.p.commit(false);
  }
}

/** Everything read: the input goes idle (flush), then a graceful stop. */
async function finish(h: Harness): Promise<void> {
  await settle();
  await h.p.commit(false);
  h.clock.now += 2000;
  await h.source.fetch(200);
  h.fire(idleCheckEveryMs(config.idleTimeoutMs));
  await settle();
  await h.p.stop();
}

const alertIds = (k: FakeKafka): string[] => (k.outputs.get('alerts') ?? []).map((r) => String(r.value)).sort();
const deadKey = (r: OutputRecord): string => ['cepheus.error.code', 'cepheus.source.partition', 'cepheus.source.offset'].map((h) => r.headers?.[h]).join('/');
const deadKeys = (k: FakeKafka): string[] => (k.outputs.get('dlq') ?? []).map(deadKey).sort();
const msgs = (h: Harness): unknown[] => h.lines.map((l) => l.msg);

describe('pipeline', () => {
  it('stands by, ready, when the group assigns it nothing', async () => {
    const h = harness(filled());
    expect([h.p.mode, h.p.readiness()]).toEqual(['starting', { ready: false, reasons: ['starting'] }]);
    await h.source.assign([]);
    expect([h.p.mode, h.p.readiness(), h.p.lag(), h.p.watermark()]).toEqual(['standby', { ready: true, reasons: ['standby: another instance of the group holds the partitions'] }, 0, -Infinity]);
    await h.p.stop();
    expect([h.p.mode, msgs(h)]).toEqual(['stopped', ['standby: another instance of the group holds every partition']]);
  });

  let reference: { alerts: string[]; dead: string[] } = { alerts: [], dead: [] };

  it('commits replay\'s alerts once each, with the late events dead-lettered, and stops with a checkpoint', async () => {
    const k = filled();
    const h = harness(k);
    await h.source.assign(tps);
    expect([h.p.mode, h.source.calls]).toEqual(['live', ['resume in/0', 'resume in/1', 'resume in/2', 'seek in/0 0', 'seek in/1 0', 'seek in/2 0']]);
    await consume(h);
    expect(h.p.readiness()).toEqual({ ready: true, reasons: [] });
    await finish(h);
    reference = { alerts: alertIds(k), dead: deadKeys(k) };
    expect(reference.alerts).toEqual(replayIds);
    expect(new Set(reference.dead.map((d) => d.split('/')[0]))).toEqual(new Set(['CEP_ERR_LATE_EVENT']));
    const c = h.p.counters;
    expect({ values: c.values, roundValues: c.roundValues, alerts: c.alerts, deadLetters: c.deadLetters, late: c.late, ruleErrors: c.ruleErrors, restores: c.restores, recovered: c.recoveredValues, suppressed: c.suppressedOutputs })
      .toEqual({ values: input.length, roundValues: input.length, alerts: replayIds.length, deadLetters: 0, late: reference.dead.length, ruleErrors: 0, restores: 1, recovered: 0, suppressed: 0 });
    expect(msgs(h).filter((m) => m !== 'rule error (the rule skipped this event; other rules ran)')).toEqual([
      'no checkpoint: starting with empty state; consuming',
      'input idle: flushed buffered events and due timers up to the latest event time',
    ]);
    // stop paused every partition for stopping, and nothing resumed them after
    expect(h.source.calls.slice(-3)).toEqual(['pause in/0', 'pause in/1', 'pause in/2']);
    expect([h.p.mode, h.p.readiness()]).toEqual(['stopped', { ready: false, reasons: ['stopped'] }]);
    const cp = await k.readCheckpoint('state', GROUP);
    expect(cp?.manifest.streams).toEqual(tps.map((tp) => ({ ...tp, offset: String(k.partition(tp).length), maxTs: expect.any(Number), active: false })));
  }, 120_000);

  it('a crash after a checkpoint and more commits, then a restart: exactly the uninterrupted run\'s outputs', async () => {
    const k = filled();
    const first = harness(k);
    await first.source.assign(tps);
    await consume(first, input.length * 0.3);
    first.clock.now += 1000; // the next commit carries a checkpoint
    await settle();
    await first.p.commit(false);
    await consume(first, input.length * 0.2, 0); // committed past the checkpoint: the restart re-reads these
    const committedAtCrash = [...k.committed.values()];
    const cp = await k.readCheckpoint('state', GROUP);
    expect(cp?.manifest.streams.some((s, i) => BigInt(s.offset ?? 0) < (committedAtCrash[i] ?? 0n))).toBe(true);

    const second = harness(k, { now: first.clock.now + 5000 });
    await second.source.assign(tps);
    expect([second.p.mode, second.p.readiness()]).toEqual(['recovering', { ready: false, reasons: ['recovering: replaying input since the last checkpoint'] }]);
    await consume(second);
    await finish(second);
    expect({ alerts: alertIds(k), dead: deadKeys(k) }).toEqual(reference);
    expect(msgs(second).slice(0, 2)).toEqual(['restored the checkpoint; replaying up to the committed offsets', 'recovered: caught up with the committed offsets; live']);
  }, 120_000);

  it('a commit that fails restores from the last checkpoint in place, and the outputs stay exactly once', async () => {
    const k = filled();
    const h = harness(k);
    await h.source.assign(tps);
    await consume(h, input.length * 0.3);
    h.clock.now += 1000;
    await settle();
    await h.p.commit(false);
    await consume(h, input.length * 0.2, 0);
    k.failNext = new Error('broker said no');
    await settle();
    await h.p.commit(false);
    while (h.p.mode === 'restoring') await settle(1);
    expect(h.p.mode).toBe('recovering');
    expect(h.lines.filter((l) => l.level === 50).map((l) => [l.msg, (l.err as { message: string }).message])).toEqual([
      ['commit failed; restoring the last checkpoint', 'broker said no'],
      ['pipeline failed; restoring from the last checkpoint', 'broker said no'],
    ]);
    expect(h.p.counters.restores).toBe(2);
    await consume(h);
    await finish(h);
    expect({ alerts: alertIds(k), dead: deadKeys(k) }).toEqual(reference);
  }, 120_000);

  it('drops a batch fetched while a restore runs: the restore seeks, so it comes again', async () => {
    const k = filled();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const h = harness(k, undefined, async () => {
      await gate;
      return undefined;
    });
    const assigning = h.source.assign(tps);
    expect(h.p.mode).toBe('restoring');
    const batch = h.source.handlers.batch({ topic: 'in', partition: 0, highWatermark: 10, messages: k.partition(tps[0] as (typeof tps)[number]).slice(5, 10) });
    release();
    await assigning;
    await batch;
    await settle();
    expect([h.p.mode, h.p.counters.rounds, h.p.lag()]).toEqual(['live', 0, input.length]);
    await h.p.stop();
  });

  it('stops the instance when another one fenced its transactional id', async () => {
    const k = filled();
    const h = harness(k);
    await h.source.assign(tps);
    await h.source.fetch(50);
    await settle();
    k.failNext = Object.assign(new Error('The producer has been fenced'), { type: 'PRODUCER_FENCED' });
    await h.p.commit(false);
    expect(h.fatal.map((e) => [e.name, (e as { code?: string }).code, e.message])).toEqual([
      ['CepError', 'CEP_ERR_FENCED', 'CEP_ERR_FENCED: another instance of group g took over (same transactional id); this one stops: The producer has been fenced'],
    ]);
    expect(k.transactions).toBe(0);
    await h.p.stop();
  });
});
