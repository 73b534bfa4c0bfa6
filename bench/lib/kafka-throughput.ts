// Sustained throughput through a real broker: N generated events are produced first into
// fresh per-kind topics (3 partitions each); then the service starts in this process on
// them and the clock runs until every record is processed and committed (the pipeline's
// `values` counter, which counts records only once their round's outputs and offsets are
// committed in a Kafka transaction). Nothing else runs meanwhile, so the process's CPU is
// the service's.
import { pino } from 'pino';
import { generate } from '../../src/fixture-generator/generate.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver, registryClient } from '../../src/kafka/registry.ts';
import { defaultShards } from '../../src/workers/shard-pool.ts';
import { bareConsumer } from './bare-consumer.ts';
import type { BareConsumerResult } from './bare-consumer.ts';
import { cpuSample, cpuSplit, rssPeak } from './cpu-split.ts';
import type { CpuSplit } from './cpu-split.ts';
import type { KafkaTarget } from './kafka-env.ts';
import { INPUT_PARTITIONS, KafkaRun, benchConfig, inputTopics, until } from './kafka-service.ts';
import { withGc } from './stats.ts';

/** Issue 17's target for the service through Kafka on 2 cores (a 1M backlog). */
export const TARGET_EVENTS_PER_SEC = 200_000;

export interface KafkaThroughputResult {
  readonly name: 'kafka-throughput';
  readonly events: number;
  readonly topics: number;
  readonly partitionsPerTopic: number;
  readonly shards: number;
  /** Pre-producing the fixture (idempotent producer, acks all, 1 000 per send): context, not the service. */
  readonly produce: { readonly ms: number; readonly eventsPerSec: number };
  /** startService() until the group is joined and the partitions restored (consuming). */
  readonly startupMs: number;
  /** From consuming to every record committed. */
  readonly wallMs: number;
  /** events / wallMs: the service's sustained rate; the regression gate uses this. */
  readonly eventsPerSec: number;
  /** events / (startupMs + wallMs). */
  readonly eventsPerSecWithStartup: number;
  readonly target: { readonly eventsPerSec: number; readonly met: boolean };
  readonly alerts: number;
  readonly deadLetters: number;
  readonly late: number;
  readonly commits: number;
  readonly rounds: number;
  /** Warning and error lines in the service's log (its file is named in the bench output). */
  readonly serviceWarnings: number;
  /** CPU in the wallMs window; see cpu-split.ts for what each figure covers. */
  readonly cpu: CpuSplit & {
    /**
     * Wall ms each shard spent inside its task handlers (decode, route, engine), as the shards
     * report it (`cepheus_shard_busy_seconds_total{shard}` on /metrics): wall time, so on a machine with fewer free
     * cores than threads it also counts time the thread waited for a core.
     */
    readonly shardBusyMs: readonly number[];
    /** Shard threads' CPU over the whole process's: the engine's share, next to the Kafka client. */
    readonly engineShareOfProcess: number | null;
  };
  readonly rssPeakMiB: number;
  /** Main-thread GC from startService() to the end (each worker thread has its own heap and collector). */
  readonly gcMs: number;
  readonly gcCount: number;
  readonly maxGcMs: number;
  /**
   * A bare kafkajs consumer over the same topics right after the service stopped (bare-consumer.ts),
   * and the service's events/s over its: the engine's cost next to the client's I/O (absent in result files before it).
   */
  readonly bareConsumer?: BareConsumerResult & { readonly serviceRatio: number };
}

export interface KafkaThroughputOptions {
  readonly events: number;
  readonly seed: number;
  readonly workers?: number | undefined;
  readonly timeoutMs?: number;
}

export async function kafkaThroughput(target: KafkaTarget, o: KafkaThroughputOptions, log: (s: string) => void): Promise<KafkaThroughputResult> {
  const run = new KafkaRun('tput', target);
  const config = benchConfig(target, run.names, { workers: o.workers });
  const shards = config.workers ?? defaultShards();
  try {
    await run.createInputTopics();
    // The same fixture as the in-process scenarios (same seed, same accounts per event).
    const gen = generate({ seed: o.seed, events: o.events, accounts: Math.max(400, Math.round(o.events / 2500)) });
    const resolver = new SchemaResolver(registryClient({ url: target.registryUrl }), pino({ level: 'silent' }));
    const produced = await produceEvents(gen.events, { kafka: run.kafka, resolver, topics: inputTopics(config) });
    log(`  produced ${produced.events.toLocaleString('en')} events in ${produced.ms} ms (${produced.eventsPerSec.toLocaleString('en')}/s); starting the service (${shards} shard(s))`);

    // The fixture's garbage is the bench's, not the service's: collect it before the clock.
    (globalThis as { gc?: () => void }).gc?.();
    const rss = rssPeak();
    const t0 = performance.now();
    const measured = withGc(async () => {
      const svc = await run.startService(config);
      const p = svc.pipeline;
      const tLive = await run.live();
      // The shards' first load report comes from the restore, before any record is handed
      // to them: their busy time at this point is start-up only.
      await until(() => p.shardLoad.length > 0, 'the first shard load report', 10_000, run.log, 5);
      const busy0 = p.shardLoad.map((l) => l.busyMs);
      const a = cpuSample();
      await until(() => p.counters.values >= produced.events, `all ${produced.events} records committed (so far ${p.counters.values}, lag ${p.lag()})`, o.timeoutMs ?? 300_000, run.log, 10);
      const b = cpuSample();
      // Shard load is refreshed every 2 s; wait for a report from after the last record
      // (no input is left, so the wait adds no busy time).
      const seen = p.shardLoad;
      await until(() => p.shardLoad !== seen, 'a shard load report after the run', 5_000, run.log, 20);
      const shardBusyMs = p.shardLoad.map((l, i) => l.busyMs - (busy0[i] ?? 0));
      return { tLive, cpu: cpuSplit(a, b), shardBusyMs, counters: { ...p.counters } };
    });
    let rssPeakMiB = 0;
    const { result, gcMs, gcCount, maxGcMs } = await measured.finally(() => {
      rssPeakMiB = rss.stop();
    });
    const { tLive, cpu, shardBusyMs, counters } = result;
    const wallMs = cpu.wallMs;
    const eventsPerSec = Math.round(produced.events / (wallMs / 1000));
    const stopped = await run.stopService();
    if (stopped !== undefined && stopped !== 0) log(`  warning: the service stopped with exit code ${stopped}; see ${run.log.path}`);
    (globalThis as { gc?: () => void }).gc?.();
    const bare = await bareConsumer(run.kafka, Object.values(run.names.inputs), produced.events, `${run.names.run}.bare`);
    const shardCpu = cpu.shardThreadsMs?.reduce((x, y) => x + y, 0);
    return {
      name: 'kafka-throughput', events: produced.events, topics: Object.keys(run.names.inputs).length, partitionsPerTopic: INPUT_PARTITIONS, shards,
      produce: { ms: produced.ms, eventsPerSec: produced.eventsPerSec },
      startupMs: Math.round(tLive - t0), wallMs, eventsPerSec,
      eventsPerSecWithStartup: Math.round(produced.events / ((tLive - t0 + wallMs) / 1000)),
      target: { eventsPerSec: TARGET_EVENTS_PER_SEC, met: eventsPerSec >= TARGET_EVENTS_PER_SEC },
      alerts: counters.alerts, deadLetters: counters.deadLetters, late: counters.late, commits: counters.commits, rounds: counters.rounds,
      serviceWarnings: run.log.warnings,
      cpu: { ...cpu, shardBusyMs, engineShareOfProcess: shardCpu === undefined || cpu.processMs <= 0 ? null : Math.round((shardCpu / cpu.processMs) * 100) / 100 },
      rssPeakMiB, gcMs, gcCount, maxGcMs,
      bareConsumer: { ...bare, serviceRatio: Math.round((eventsPerSec / bare.eventsPerSec) * 100) / 100 },
    };
  } finally {
    const { exitCode } = await run.close();
    if (exitCode !== undefined && exitCode !== 0) log(`  warning: the service stopped with exit code ${exitCode}; see ${run.log.path}`);
  }
}
