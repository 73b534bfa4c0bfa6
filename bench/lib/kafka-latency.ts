// Produce-to-alert latency through a real broker at a fixed offered rate. The service runs
// first (in this process, on fresh topics); a producer thread then offers the generated
// fixture at the rate, each record stamped with its send time, while the bench reads the
// alerts topic read_committed (as any consumer of alerts would: an alert exists once its
// transaction commits). Per alert:
//
//   latency = wall time the bench received the alert - send time of its completing event
//
// where the completing event is the matched event with the latest event time (on a tie the
// one sent last: the alert could not exist before both were sent).
//
// What dominates. The service works in event time: an alert waits until the watermark (the
// minimum over all 12 input partitions of max event time - 5 s) passes it. The fixture's
// event time runs ~3e5 times faster than wall time (40 days in seconds of load), so the 5 s
// bound itself costs nothing; what costs is a sparse partition (no trades over a fixture
// weekend, few transfers at night) holding the watermark until its next record. That
// floor is computed from the send log (event-time-floor.ts) and reported apart: on the
// (shared, busy) 2-core VM at 10-20k/s, p50 1-20 ms, p99 150-210 ms. The rest is wall-clock
// machinery and was the larger part there (p50 140-260 ms): mostly the wait for the next
// transactional commit (every 200 ms; slower when a commit overruns, see `commits`) and the
// commit itself, then fetch waits and rounds to the shards; the service's own endToEnd
// (record timestamp -> committed) agrees with it within the bench reader's fetch.
//
// Alerts that fire only once the input goes idle (the service flushes after idleTimeoutMs
// without records) measure the end of the load, not the rate: counted apart (`afterIdleFlush`).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Alert } from '../../src/core/alert.ts';
import { registryClient } from '../../src/kafka/registry.ts';
import type { LatencySummary } from '../../src/metrics/latency.ts';
import { fromRecord } from '../../src/store/alert-codec.ts';
import type { AlertRecord } from '../../src/store/alert-codec.ts';
import { defaultShards } from '../../src/workers/shard-pool.ts';
import { cpuSample, cpuSplit } from './cpu-split.ts';
import type { CpuSplit } from './cpu-split.ts';
import type { KafkaTarget } from './kafka-env.ts';
import { waitPast, watermarks } from './event-time-floor.ts';
import type { SendLog } from './event-time-floor.ts';
import { INPUT_PARTITIONS, KafkaRun, benchConfig, freePort, inputTopics, until } from './kafka-service.ts';
import type { AlertCommitSetting } from './kafka-service.ts';
import { startPacedProducer, wallNow } from './paced-producer.ts';
import { encodeHistogram, histogram, percentiles, withGc } from './stats.ts';
import type { Percentiles } from './stats.ts';

export interface KafkaLatencyResult {
  readonly name: string;
  readonly offeredPerSec: number;
  readonly achievedPerSec: number;
  /** The producer could not keep the offered rate (it sends one batch at a time, acks all). */
  readonly producerBehind: boolean;
  readonly events: number;
  readonly seconds: number;
  readonly shards: number;
  /** Alerts read from the alerts topic, and of them: measured, and released only by the idle flush at the end. */
  readonly alerts: number;
  readonly measured: number;
  readonly afterIdleFlush: number;
  /** Alerts the service counted as committed (should equal `alerts`). */
  readonly serviceAlerts: number;
  /** Warning and error lines in the service's log (its file is named in the bench output). */
  readonly serviceWarnings: number;
  /** Should all be 0: alerts read twice, alerts with a matched event never sent, matched events on another partition than assumed. */
  readonly checks: { readonly duplicates: number; readonly unmatched: number; readonly partitionMismatches: number };
  /** Microseconds from the completing event's send to the alert received (read_committed). */
  readonly latencyUs: Percentiles;
  readonly histogram: string;
  /** Of that, the wait event time imposes at this rate and on this fixture (event-time-floor.ts). */
  readonly eventTimeFloorUs: Percentiles;
  /** Per alert, latency minus its event-time floor: the service's and Kafka's own part. */
  readonly beyondFloorUs: Percentiles;
  /**
   * The service's own end to end (GET /api/v1/latency): Kafka record timestamp (ms) of the
   * completing record to the alert's transaction committed; only alerts that fired on a
   * record (not on a timer) and were read in this run.
   */
  readonly service: {
    readonly endToEndUs: LatencySummary | null; readonly endToEndHistogram: string | null; readonly batchUs: LatencySummary | null;
    /** Per rule: the completing record's arrival at the service to the alert emitted by the shards (µs). */
    readonly rulesUs: Readonly<Record<string, LatencySummary>>;
  };
  /**
   * Commits while the load was offered, and their mean spacing: the configured interval
   * (commitIntervalMs) when each transaction finishes within it, more when commits are slow.
   */
  readonly commits: { readonly count: number; readonly meanSpacingMs: number; readonly configuredIntervalMs: number };
  /** CPU while the load was offered. */
  readonly cpu: CpuSplit;
  /** Main-thread GC while the load was offered. */
  readonly gcMs: number;
  readonly maxGcMs: number;
}

export interface KafkaLatencyOptions {
  readonly rate: number;
  readonly seconds: number;
  readonly seed: number;
  readonly workers?: number | undefined;
  readonly alertCommit?: AlertCommitSetting | undefined;
}

interface Received {
  readonly at: number;
  readonly value: Buffer;
}

type ServiceLatency = { endToEnd?: (LatencySummary & { histogram?: string }) | null; batch?: LatencySummary | null; rules?: Record<string, LatencySummary & { histogram?: string }> };

const summaryOf = (s: (LatencySummary & { histogram?: string }) | null | undefined): LatencySummary | null =>
  s === null || s === undefined ? null : { count: s.count, p50: s.p50, p90: s.p90, p99: s.p99, p999: s.p999, max: s.max };

/** Send position of the completing event: latest event time among the matched, sent last on a tie. */
function completing(a: Alert, sent: SendLog): number | undefined {
  let ts = -Infinity;
  let at: number | undefined;
  for (const step of a.matched) {
    for (const m of step.events) {
      const t = m.event.ts as number;
      const i = sent.indexOf(m.event.id);
      if (i === undefined) return undefined;
      if (t > ts || (t === ts && i > (at ?? -1))) {
        ts = t;
        at = i;
      }
    }
  }
  return at;
}

/** Matched events whose partition differs from the one the send log assumed (the floor would be wrong). */
function partitionMismatches(a: Alert, sent: SendLog, partitions: number): number {
  let n = 0;
  for (const step of a.matched) {
    for (const m of step.events) {
      const i = sent.indexOf(m.event.id);
      if (m.source !== null && i !== undefined && (sent.stream[i] as number) % partitions !== m.source.partition) n++;
    }
  }
  return n;
}

export async function kafkaFixedRate(target: KafkaTarget, o: KafkaLatencyOptions, log: (s: string) => void): Promise<KafkaLatencyResult> {
  const name = `kafka-fixed-${o.rate / 1000}k`;
  const run = new KafkaRun(`lat-${o.rate}`, target);
  const token = randomUUID();
  const port = await freePort();
  const config = benchConfig(target, run.names, { workers: o.workers, alertCommit: o.alertCommit, api: { port, token, storePath: join(run.tempDir(), 'alerts.db') } });
  const events = Math.max(1000, Math.round(o.rate * o.seconds));
  try {
    await run.createInputTopics();
    const svc = await run.startService(config);
    await run.live();

    const received: Received[] = [];
    const consumer = run.kafka.consumer({ groupId: `${run.names.run}.reader`, readUncommitted: false, maxWaitTimeInMs: 20 });
    run.onCleanup(() => consumer.disconnect());
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: run.names.alerts, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({ at: wallNow(), value: message.value ?? Buffer.alloc(0) });
      },
    });
    await until(() => joined, 'the alerts reader joining its group', 60_000, run.log);

    // Planted scenarios give the histogram ~1 000 samples at 300k events (the default 3 per
    // rule would give 30).
    const positives = Math.min(100, Math.max(3, Math.floor(events / 3000)));
    const producer = startPacedProducer({
      target, topics: inputTopics(config), partitions: INPUT_PARTITIONS, seed: o.seed, events, accounts: Math.max(400, Math.round(events / 2500)), positives,
      // One send per 50 ms (1 000 records at 20k/s, where a local broker takes 51-89k msg/s): each
      // send waits for its acks, so smaller batches capped the rate at the round trip on a busy machine.
      rate: o.rate, batchSize: Math.min(5000, Math.max(50, Math.round(o.rate / 20))),
    });
    run.onCleanup(() => producer.stop());
    await producer.ready;
    const p = svc.pipeline;
    const a = cpuSample();
    const commits0 = p.counters.commits;
    const { result: produced, gcMs, maxGcMs } = await withGc(() => producer.done);
    const cpu = cpuSplit(a, cpuSample());
    const commits = p.counters.commits - commits0;
    log(`  offered ${o.rate.toLocaleString('en')}/s, sent ${produced.events.toLocaleString('en')} at ${produced.eventsPerSec.toLocaleString('en')}/s; waiting for the last alerts`);

    // The end of the load: idle flush, then a few commits and the reader catching up.
    await until(() => run.log.flushedAt !== undefined, 'the idle flush after the last record', config.idleTimeoutMs + 60_000, run.log, 50);
    const flushedAt = run.log.flushedAt as number;
    await until(() => performance.now() > flushedAt + 3 * config.commitIntervalMs + 500 && received.length >= p.counters.alerts,
      `reading the ${p.counters.alerts} committed alerts (so far ${received.length})`, 30_000, run.log, 50);

    const res = await fetch(`http://127.0.0.1:${port}/api/v1/latency`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    const own = (res.ok ? await res.json() : {}) as ServiceLatency;

    const registry = registryClient({ url: target.registryUrl });
    const flushedWall = performance.timeOrigin + flushedAt;
    const sent = producer.sent;
    const w = watermarks(sent, inputTopics(config).length * INPUT_PARTITIONS, config.engine.outOfOrdernessMs);
    const h = histogram();
    const floor = histogram();
    const beyond = histogram();
    const ids = new Set<string>();
    const checks = { duplicates: 0, unmatched: 0, partitionMismatches: 0 };
    let tail = 0;
    const us = (ms: number): number => Math.max(1, Math.round(ms * 1000));
    for (const r of received) {
      const alert = fromRecord((await registry.decode(r.value)) as AlertRecord);
      if (ids.has(alert.id)) {
        checks.duplicates++;
        continue;
      }
      ids.add(alert.id);
      checks.partitionMismatches += partitionMismatches(alert, sent, INPUT_PARTITIONS);
      const i = completing(alert, sent);
      const wait = i === undefined ? undefined : waitPast(w, sent, i, alert.detectedAtEventTime);
      if (i === undefined) checks.unmatched++;
      else if (r.at >= flushedWall || wait === undefined) tail++;
      else {
        const latency = r.at - (sent.at[i] as number);
        h.recordValue(us(latency));
        floor.recordValue(us(wait));
        beyond.recordValue(us(latency - wait));
      }
    }
    return {
      name, offeredPerSec: o.rate, achievedPerSec: produced.eventsPerSec, producerBehind: produced.eventsPerSec < o.rate * 0.95,
      events: produced.events, seconds: o.seconds, shards: config.workers ?? defaultShards(),
      alerts: received.length, measured: h.totalCount, afterIdleFlush: tail, serviceAlerts: p.counters.alerts, serviceWarnings: run.log.warnings, checks,
      latencyUs: percentiles(h), histogram: encodeHistogram(h), eventTimeFloorUs: percentiles(floor), beyondFloorUs: percentiles(beyond),
      service: {
        endToEndUs: summaryOf(own.endToEnd), endToEndHistogram: own.endToEnd?.histogram ?? null, batchUs: summaryOf(own.batch),
        rulesUs: Object.fromEntries(Object.entries(own.rules ?? {}).flatMap(([id, x]) => {
          const sum = summaryOf(x);
          return sum === null ? [] : [[id, sum]];
        })),
      },
      commits: { count: commits, meanSpacingMs: Math.round(cpu.wallMs / Math.max(1, commits)), configuredIntervalMs: config.commitIntervalMs },
      cpu, gcMs, maxGcMs,
    };
  } finally {
    const { exitCode } = await run.close();
    if (exitCode !== undefined && exitCode !== 0) log(`  warning: the service stopped with exit code ${exitCode}; see ${run.log.path}`);
  }
}
