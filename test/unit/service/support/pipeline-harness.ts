// The pipeline facade over an in-memory Kafka (fake-kafka.ts) and in-process shards, on a
// simulated clock: the bundled fixture in 3 partitions keyed by account, replay's alert ids
// to compare with, timers fired by hand, and waits (retries) that resolve when the test says.
import { runReplay } from '../../../../src/cli/replay.ts';
import { validateConfig } from '../../../../src/config/config.ts';
import { inputsOf } from '../../../../src/config/inputs.ts';
import { shardOf } from '../../../../src/core/order.ts';
import { EVENT_KINDS } from '../../../../src/events/types.ts';
import type { EventKind } from '../../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../../../src/io/read-events.ts';
import type { OutputRecord } from '../../../../src/kafka/sink.ts';
import { LatencyRecorder } from '../../../../src/metrics/latency.ts';
import { loadRules } from '../../../../src/rules/load-rules.ts';
import type { Checkpoint } from '../../../../src/service/checkpoint.ts';
import { idleCheckEveryMs } from '../../../../src/service/idle.ts';
import { Pipeline } from '../../../../src/service/pipeline.ts';
import { InProcessShards } from '../../../../src/workers/shard-pool.ts';
import { FakeKafka, FakeSource, capturingLog, settle } from './fake-kafka.ts';

export const GROUP = 'g';
const PARTITIONS = 3;
export const tps = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: 'in', partition }));
export const config = validateConfig({
  kafka: { brokers: ['h:1'], groupId: GROUP }, registry: { url: 'http://registry' },
  topics: { login: 'in', order: 'in', trade: 'in', transfer: 'in' }, output: { alerts: 'alerts', deadLetter: 'dlq', state: 'state' },
  commitIntervalMs: 100, snapshotIntervalMs: 1000, idleTimeoutMs: 1500, roundMaxValues: 512, maxInFlight: 2,
});
const schemaId = (kind: EventKind): number => EVENT_KINDS.indexOf(kind) + 1;

export interface Fixture {
  rules: { id: string; version: number }[];
  replayIds: string[];
  /** The fixture as 3 partitions keyed by account. */
  input: { partition: number; key: Buffer; value: Buffer; ts: number }[];
}

export async function loadFixture(): Promise<Fixture> {
  const rules = (await loadRules()).map((l) => ({ id: l.rule.id, version: l.rule.version }));
  const replayIds = (await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false })).alerts.map((a) => a.id).sort();
  const input: Fixture['input'] = [];
  for await (const e of readEventsStrict('fixtures/default.avro')) {
    input.push({ partition: shardOf(e.account, PARTITIONS), key: Buffer.from(e.account), value: encodeConfluentValue(e, schemaId(e.kind)), ts: e.ts });
  }
  return { rules, replayIds, input };
}

export function filled(f: Fixture): FakeKafka {
  const k = new FakeKafka();
  for (const r of f.input) k.produce({ topic: 'in', partition: r.partition }, r.key, r.value, r.ts);
  return k;
}

export interface Harness {
  readonly p: Pipeline;
  readonly source: FakeSource;
  readonly lines: Record<string, unknown>[];
  readonly fatal: Error[];
  readonly clock: { now: number };
  /** Waits the pipeline asked for (ms), in order; each resolves when `wake` is called. */
  readonly sleeps: number[];
  /** Ends the oldest pending wait, moving the clock on by its length. */
  wake(): void;
  /** How often the output topics' limits were read again. */
  readonly refreshed: { count: number };
  fire(ms: number): void;
}

/** The wall clock starts after the fixture's events (2026-01..02), as it would replaying them today. */
export const START = Date.parse('2026-03-01T00:00:00Z');

export function harness(f: Fixture, kafka: FakeKafka, clock = { now: START }, readCheckpoint = () => kafka.readCheckpoint('state', GROUP), limit = 1_048_588): Harness {
  const { log, lines } = capturingLog();
  const source = new FakeSource(kafka);
  const timers: { ms: number; f: () => void }[] = [];
  const fatal: Error[] = [];
  const known = new Set<number>();
  const sleeps: number[] = [];
  const waiting: { ms: number; done: () => void }[] = [];
  const refreshed = { count: 0 };
  const p = new Pipeline({
    config, inputs: inputsOf(config), log, source, sink: kafka.sink, admin: kafka.admin,
    resolver: {
      missing: (ids) => [...ids].filter((id) => !known.has(id)),
      resolve: async (ids) => ids.map((id) => {
        known.add(id);
        return { id, schema: null, kind: EVENT_KINDS[id - 1] as EventKind };
      }),
    },
    encodeAlert: async (a) => Buffer.from(a.id), readCheckpoint, backend: () => new InProcessShards(2), rules: f.rules, latency: new LatencyRecorder(),
    onFatal: (e) => fatal.push(e), now: () => clock.now,
    limits: {
      of: () => limit,
      refresh: async () => {
        refreshed.count++;
        return new Map([['dlq', limit]]);
      },
    },
    sleep: (ms) => new Promise<void>((done) => {
      sleeps.push(ms);
      waiting.push({ ms, done });
    }),
    every: (ms, fn) => {
      const t = { ms, f: fn };
      timers.push(t);
      return () => timers.splice(timers.indexOf(t), 1);
    },
    // Commits start when the test says (consume, fire): alert-commits.test.ts covers the early ones.
    after: () => () => undefined,
  });
  void source.start(p.handlers());
  p.start();
  return {
    p, source, lines, fatal, clock, sleeps, refreshed,
    wake: () => {
      const w = waiting.shift();
      if (w === undefined) throw new Error('nothing waits');
      clock.now += w.ms;
      w.done();
    },
    fire: (ms) => timers.filter((t) => t.ms === ms).forEach((t) => t.f()),
  };
}

/** Fetches (`tick` ms apart) until `limit` records were read or nothing comes any more, committing every 4th fetch. */
export async function consume(h: Harness, limit = Infinity, tick = 100): Promise<void> {
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
export async function finish(h: Harness): Promise<void> {
  await settle();
  await h.p.commit(false);
  h.clock.now += 2000;
  await h.source.fetch(200);
  h.fire(idleCheckEveryMs(config.idleTimeoutMs));
  await settle();
  await h.p.stop();
}

export const alertIds = (k: FakeKafka): string[] => (k.outputs.get('alerts') ?? []).map((r) => String(r.value)).sort();
const deadKey = (r: OutputRecord): string => ['cepheus.error.code', 'cepheus.source.partition', 'cepheus.source.offset'].map((h) => r.headers?.[h]).join('/');
export const deadKeys = (k: FakeKafka): string[] => (k.outputs.get('dlq') ?? []).map(deadKey).sort();
export const msgs = (h: Harness): unknown[] => h.lines.map((l) => l.msg);
export type { Checkpoint };
