// The bench regression gate: ratios against a baseline, failing below 0.85x throughput or
// above 1.2x p99, in-process and (when both files have it) through Kafka.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compare, formatRatios } from '../../../bench/lib/compare.ts';
import type { CpuSplit } from '../../../bench/lib/cpu-split.ts';
import type { KafkaLatencyResult, KafkaResult } from '../../../bench/lib/kafka.ts';
import type { AgainstScenario } from '../../../bench/lib/against.ts';
import type { BenchResult } from '../../../bench/lib/result.ts';
import type { Percentiles } from '../../../bench/lib/stats.ts';

// The committed baseline's in-process part (its through-Kafka part is built below, per test).
const { kafka: _committedKafka, against: _committedAgainst, ...baseline } = JSON.parse(readFileSync(new URL('../../../bench/baseline/2-core-vm.json', import.meta.url), 'utf8')) as BenchResult;
const scaled = (tput: number, p99: number): BenchResult => ({
  ...baseline,
  throughput: baseline.throughput.map((t) => ({ ...t, eventsPerSec: Math.round(t.eventsPerSec * tput) })),
  latency: baseline.latency.map((l) => ({ ...l, latencyUs: { ...l.latencyUs, p99: Math.round(l.latencyUs.p99 * p99) } })),
});

const pct = (p99: number): Percentiles => ({ count: 1000, p50: Math.round(p99 / 2), p90: Math.round(p99 * 0.8), p99, p999: p99 + 1, max: p99 + 2 });
const cpu: CpuSplit = {
  wallMs: 10_000, processMs: 9_000, processCores: 0.9, mainThreadMs: 3_000, mainLoopActiveMs: 5_000, shardThreadsMs: [2_000], v8HelpersMs: 1_000,
  libuvPoolMs: 0, otherThreadsMs: 3_000, machineBusyMs: 17_000, outsideProcessMs: 8_000, machineCapacityMs: 20_000,
};
function latencyRun(rate: number, p99: number): KafkaLatencyResult {
  return {
    name: `kafka-fixed-${rate / 1000}k`, offeredPerSec: rate, achievedPerSec: rate, producerBehind: false, events: rate * 15, seconds: 15, shards: 1,
    alerts: 1000, measured: 1000, afterIdleFlush: 0, serviceAlerts: 1000, serviceWarnings: 0, checks: { duplicates: 0, unmatched: 0, partitionMismatches: 0 },
    latencyUs: pct(p99), histogram: '', eventTimeFloorUs: pct(100_000), beyondFloorUs: pct(p99 / 2),
    service: { endToEndUs: pct(p99), endToEndHistogram: null, batchUs: null, rulesUs: {} },
    commits: { count: 50, meanSpacingMs: 200, configuredIntervalMs: 200 }, cpu, gcMs: 100, maxGcMs: 10,
  };
}
/** A kafka section: sustained events/s and the p99 (µs) of each latency run by offered rate. */
function kafka(eventsPerSec: number, p99ByRate: Readonly<Record<number, number>>): KafkaResult {
  const rates = Object.keys(p99ByRate).map(Number);
  return {
    brokers: ['127.0.0.1:9092'], registryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7', config: { events: 500_000, rates, seconds: 15, seed: 42 },
    throughput: {
      name: 'kafka-throughput', events: 500_000, topics: 4, partitionsPerTopic: 3, shards: 1, produce: { ms: 8_000, eventsPerSec: 62_500 },
      startupMs: 1_000, wallMs: Math.round(500_000_000 / eventsPerSec), eventsPerSec, eventsPerSecWithStartup: eventsPerSec - 1,
      target: { eventsPerSec: 100_000, met: eventsPerSec >= 100_000 }, alerts: 30, deadLetters: 0, late: 180, commits: 40, rounds: 70, serviceWarnings: 0,
      cpu: { ...cpu, shardBusyMs: [2_100], engineShareOfProcess: 0.22 }, rssPeakMiB: 500, gcMs: 200, gcCount: 10, maxGcMs: 40,
    },
    latency: rates.map((r) => latencyRun(r, p99ByRate[r] as number)),
  };
}
const withKafka = (r: BenchResult, k: KafkaResult): BenchResult => ({ ...r, kafka: k });
const kafkaOnly = (k: KafkaResult): BenchResult => ({ ...baseline, throughput: [], latency: [], state: [], kafka: k });
const rowsOf = (a: BenchResult, b: BenchResult): (readonly [string, number, boolean])[] => compare(a, b).map((r) => [r.metric, Math.round(r.ratio * 100) / 100, r.ok] as const);

describe('bench compare', () => {
  it('passes the baseline against itself, every metric at 1.00x', () => {
    const rows = compare(baseline, baseline);
    expect(rows.map((r) => [r.metric, r.ratio, r.ok])).toEqual([
      ...baseline.throughput.map((t) => [`${t.name} events/s`, 1, true]),
      ...baseline.latency.map((l) => [`${l.name} p99 us`, 1, true]),
      ...baseline.state.map((st) => [`${st.name} bytes/account`, 1, true]),
    ]);
  });

  it('fails when throughput drops below 0.85x or p99 rises above 1.2x, and only then', () => {
    expect(compare(baseline, scaled(0.86, 1.19)).every((r) => r.ok)).toBe(true);
    expect(compare(baseline, scaled(0.84, 1)).filter((r) => !r.ok).map((r) => r.metric)).toEqual(baseline.throughput.map((t) => `${t.name} events/s`));
    expect(compare(baseline, scaled(1, 1.21)).filter((r) => !r.ok).map((r) => r.metric)).toEqual(baseline.latency.map((l) => `${l.name} p99 us`));
    expect(formatRatios(compare(baseline, scaled(0.5, 1))).split('\n')[0]).toMatch(/^FAIL max-throughput events\/s/);
  });

  it('gates the through-Kafka throughput and each rate\'s p99 after the in-process metrics when both files have them', () => {
    const k = kafka(60_000, { 20_000: 300_000, 50_000: 400_000 });
    expect(rowsOf(withKafka(baseline, k), withKafka(baseline, k))).toEqual([
      ...rowsOf(baseline, baseline),
      ['kafka-throughput events/s', 1, true],
      ['kafka-fixed-20k p99 us', 1, true],
      ['kafka-fixed-50k p99 us', 1, true],
      ['kafka-fixed-20k p99 beyond floor us', 1, true],
      ['kafka-fixed-50k p99 beyond floor us', 1, true],
    ]);
  });

  it('has no Kafka rows when either file lacks the section (files from before it, runs without a broker)', () => {
    const k = withKafka(baseline, kafka(60_000, { 20_000: 300_000 }));
    expect(rowsOf(baseline, k)).toEqual(rowsOf(baseline, baseline));
    expect(rowsOf(k, baseline)).toEqual(rowsOf(baseline, baseline));
  });

  it('fails the Kafka throughput below 0.85x and a Kafka p99 above 1.2x, each alone; a rate only one side ran is left out', () => {
    const base = kafkaOnly(kafka(60_000, { 20_000: 300_000, 50_000: 400_000 }));
    expect(rowsOf(base, kafkaOnly(kafka(51_600, { 20_000: 357_000, 50_000: 400_000 })))).toEqual([
      ['kafka-throughput events/s', 0.86, true],
      ['kafka-fixed-20k p99 us', 1.19, true],
      ['kafka-fixed-50k p99 us', 1, true],
      ['kafka-fixed-20k p99 beyond floor us', 1.19, true],
      ['kafka-fixed-50k p99 beyond floor us', 1, true],
    ]);
    expect(rowsOf(base, kafkaOnly(kafka(50_400, { 20_000: 300_000, 50_000: 484_000 })))).toEqual([
      ['kafka-throughput events/s', 0.84, false],
      ['kafka-fixed-20k p99 us', 1, true],
      ['kafka-fixed-50k p99 us', 1.21, false],
      ['kafka-fixed-20k p99 beyond floor us', 1, true],
      ['kafka-fixed-50k p99 beyond floor us', 1.21, false],
    ]);
    expect(rowsOf(base, kafkaOnly(kafka(60_000, { 50_000: 400_000, 100_000: 900_000 })))).toEqual([
      ['kafka-throughput events/s', 1, true],
      ['kafka-fixed-50k p99 us', 1, true],
      ['kafka-fixed-50k p99 beyond floor us', 1, true],
    ]);
  });

  it('prints one line per Kafka metric, failures marked', () => {
    const out = formatRatios(compare(kafkaOnly(kafka(60_000, { 20_000: 300_000 })), kafkaOnly(kafka(45_000, { 20_000: 330_000 }))));
    expect(out).toBe([
      'FAIL kafka-throughput events/s              60000 ->     45000  0.75x (>= 0.85x)',
      'ok   kafka-fixed-20k p99 us                300000 ->    330000  1.10x (<= 1.2x)',
      'ok   kafka-fixed-20k p99 beyond floor us    150000 ->    165000  1.10x (<= 1.2x)',
    ].join('\n'));
  });

  it('fails state per idle account above 1.1x, and only then', () => {
    const state = (bytes: number): BenchResult => ({ ...baseline, throughput: [], latency: [], state: [{ name: 'state-idle-accounts', keys: 3_000_000, bytesPerAccount: bytes, heapMiB: 800 }] });
    expect(rowsOf(state(800), state(880))).toEqual([['state-idle-accounts bytes/account', 1.1, true]]);
    expect(rowsOf(state(800), state(890))).toEqual([['state-idle-accounts bytes/account', 1.11, false]]);
  });

  it('gates the --against ratios when both files were measured against the same commit', () => {
    const scenario = (name: string, metric: AgainstScenario['metric'], ratio: number): AgainstScenario => ({ name, metric, ours: [ratio], theirs: [1], medianOurs: ratio, medianTheirs: 1, ratio, raw: [] });
    const against = (commit: string, tput: number, p99: number, bytes: number): BenchResult => ({
      ...baseline, throughput: [], latency: [], state: [],
      against: { ref: 'r', commit, ourCommit: 'x', runs: 3, scenarios: [scenario('max-throughput', 'eventsPerSec', tput), scenario('fixed-100k', 'p99Us', p99), scenario('state-idle-accounts', 'bytesPerAccount', bytes)] },
    });
    expect(rowsOf(against('8c71de6aa', 2, 0.1, 0.6), against('8c71de6aa', 1.6, 0.13, 0.7))).toEqual([
      ['vs 8c71de6 max-throughput eventsPerSec ratio', 0.8, false],
      ['vs 8c71de6 fixed-100k p99Us ratio', 1.3, false],
      ['vs 8c71de6 state-idle-accounts bytesPerAccount ratio', 1.17, false],
    ]);
    expect(compare(against('8c71de6aa', 2, 0.1, 0.6), against('8c71de6aa', 1.8, 0.11, 0.63)).every((r) => r.ok)).toBe(true);
    expect(rowsOf(against('8c71de6aa', 2, 0.1, 0.6), against('aaaaaaaaa', 1, 1, 1))).toEqual([]);
  });
});
