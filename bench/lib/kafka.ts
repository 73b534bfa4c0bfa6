// The through-Kafka part of the bench: sustained throughput of the service over a
// pre-produced fixture, then produce-to-alert latency at each offered rate, against a real
// broker and schema registry on loopback (kafka-env.ts decides which, or that there is none).
import type { KafkaTarget } from './kafka-env.ts';
import { kafkaFixedRate } from './kafka-latency.ts';
import type { KafkaLatencyResult } from './kafka-latency.ts';
import { kafkaThroughput } from './kafka-throughput.ts';
import type { KafkaThroughputResult } from './kafka-throughput.ts';
import type { AlertCommitSetting } from './kafka-service.ts';

export type { KafkaLatencyResult } from './kafka-latency.ts';
export type { KafkaThroughputResult } from './kafka-throughput.ts';

export interface KafkaOptions {
  /** Events pre-produced for the throughput run. */
  readonly events: number;
  /** Offered rates (events/s) for the latency runs, each for `seconds`. */
  readonly rates: readonly number[];
  readonly seconds: number;
  readonly seed: number;
  /** Shard workers; the service's default (cores - 1) when absent. */
  readonly workers?: number | undefined;
  /** The service's alert commit policy in the latency runs; its defaults when absent. */
  readonly alertCommit?: AlertCommitSetting | undefined;
}

/** The `kafka` section of a result file. */
export interface KafkaResult {
  readonly brokers: readonly string[];
  readonly registryUrl: string;
  readonly config: KafkaOptions;
  readonly throughput: KafkaThroughputResult;
  readonly latency: readonly KafkaLatencyResult[];
}

export async function kafkaScenarios(target: KafkaTarget, o: KafkaOptions, log: (s: string) => void): Promise<KafkaResult> {
  log(`through Kafka (${target.brokers.join(',')}): sustained throughput over ${o.events.toLocaleString('en')} pre-produced events`);
  const throughput = await kafkaThroughput(target, { events: o.events, seed: o.seed, workers: o.workers }, log);
  log(`  ${throughput.eventsPerSec.toLocaleString('en')} events/s (target ${throughput.target.eventsPerSec.toLocaleString('en')}: ${throughput.target.met ? 'met' : 'not met'})`);
  const bare = throughput.bareConsumer;
  if (bare !== undefined) log(`  a bare kafkajs consumer over the same topics: ${bare.eventsPerSec.toLocaleString('en')} events/s (the service: ${bare.serviceRatio}x of it)`);
  const latency: KafkaLatencyResult[] = [];
  for (const rate of o.rates) {
    log(`through Kafka: produce-to-alert latency at ${rate.toLocaleString('en')} events/s offered for ${o.seconds} s`);
    const l = await kafkaFixedRate(target, { rate, seconds: o.seconds, seed: o.seed, workers: o.workers, alertCommit: o.alertCommit }, log);
    log(`  ${l.measured} alerts measured: p50 ${l.latencyUs.p50} µs, p99 ${l.latencyUs.p99} µs, max ${l.latencyUs.max} µs (event-time floor p50 ${l.eventTimeFloorUs.p50} µs, p99 ${l.eventTimeFloorUs.p99} µs)`);
    latency.push(l);
  }
  return { brokers: target.brokers, registryUrl: target.registryUrl, config: o, throughput, latency };
}
