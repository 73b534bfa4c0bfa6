// `npm run bench`: replays a generated fixture, as Confluent-framed Avro bytes held in memory,
// through decode and the bundled rules, then (when a local broker and registry answer) runs
// the service through Kafka; writes result.json, HDR histograms and plot.svg to
// bench/results/<stamp>/. `npm run bench:compare -- <baseline.json> <candidate.json>` exits
// non-zero when throughput falls below 0.85x or p99 rises above 1.2x.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { loadRules } from '../src/rules/load-rules.ts';
import { against } from './lib/against.ts';
import type { AgainstResult } from './lib/against.ts';
import { compare, formatRatios } from './lib/compare.ts';
import { framedFixture } from './lib/input.ts';
import { kafkaScenarios } from './lib/kafka.ts';
import type { AlertCommitSetting } from './lib/kafka-service.ts';
import type { KafkaResult } from './lib/kafka.ts';
import { kafkaTarget } from './lib/kafka-env.ts';
import { machineInfo } from './lib/machine.ts';
import { plot } from './lib/plot.ts';
import type { BenchResult } from './lib/result.ts';
import { availableParallelism } from 'node:os';
import { cloneRules, fixedRate, maxThroughput, shardedThroughput, stateBytes } from './lib/scenarios.ts';
import type { LatencyResult, StateResult, ThroughputResult } from './lib/scenarios.ts';

const log = (s: string): void => {
  process.stderr.write(`[bench] ${s}\n`);
};

interface RunOptions {
  readonly events: number;
  readonly rates: number[];
  readonly stateAccounts: number;
  readonly out: string;
  readonly seed: number;
  readonly inProcess: boolean;
  readonly kafka: string;
  readonly kafkaEvents: number;
  readonly kafkaRates: number[];
  readonly kafkaSeconds: number;
  readonly kafkaWorkers?: number;
  /** The service's alert commit policy in the through-Kafka latency runs (`off`: the fixed tick only). */
  readonly kafkaAlertCommit?: AlertCommitSetting;
  /** In-process scenarios to run, by name (max-throughput, rules-10, workers-1, fixed-50k, state-idle-accounts); all when absent. */
  readonly only?: string[];
  /** A git ref to measure against, interleaved in this run (against.ts). */
  readonly against?: string;
  readonly againstRuns: number;
  readonly againstScenarios: string[];
}

async function run(opts: RunOptions): Promise<void> {
  const startedAt = new Date().toISOString();
  // Decided first: a broker named on the command line that does not answer fails the run
  // before minutes of in-process work.
  const kafka = await kafkaTarget(opts.kafka);
  const throughput: ThroughputResult[] = [];
  const latency: LatencyResult[] = [];
  const state: StateResult[] = [];
  const wanted = (name: string): boolean => opts.only === undefined || opts.only.includes(name);
  if (opts.inProcess) {
    const rules = (await loadRules()).map((l) => l.rule);
    log(`generating ${opts.events.toLocaleString('en')} events (seed ${opts.seed}) as Confluent-framed Avro values`);
    const framed = framedFixture(opts.events, opts.seed);
    const input = framed.values;

    if (wanted('max-throughput')) {
      log('in-process max throughput, all bundled rules');
      throughput.push(await maxThroughput('max-throughput', rules, input));
    }
    for (const n of [1, 10, 100]) {
      if (!wanted(`rules-${n}`)) continue;
      const slice = input.slice(0, Math.min(input.length, n === 100 ? 100_000 : 200_000));
      log(`rule-count sweep: ${n} rules over ${slice.length.toLocaleString('en')} events`);
      throughput.push(await maxThroughput(`rules-${n}`, cloneRules(rules, n), slice, 1));
    }
    for (let w = 1; w <= Math.max(2, availableParallelism()); w++) {
      if (!wanted(`workers-${w}`)) continue;
      log(`shard workers: ${w} (4 streams keyed by account; home shards decode and route to key owners)`);
      throughput.push(await shardedThroughput(w, framed));
    }
    if (wanted('workers-1-two-phase')) {
      log('shard workers: 1, ingest and deliver as two tasks per round (the path before one-task rounds)');
      throughput.push(await shardedThroughput(1, framed, 2, true));
    }
    for (const rate of opts.rates) {
      if (!wanted(`fixed-${rate / 1000}k`)) continue;
      const slice = input.slice(0, Math.min(input.length, rate * 5));
      log(`open loop at ${rate.toLocaleString('en')} events/s offered (${slice.length.toLocaleString('en')} events)`);
      latency.push(await fixedRate(`fixed-${rate / 1000}k`, rules, slice, rate));
    }
  }
  let againstResult: AgainstResult | undefined;
  if (opts.against !== undefined) {
    log(`against ${opts.against}: ${opts.againstScenarios.join(', ')}, ${opts.againstRuns} interleaved runs each`);
    againstResult = await against({
      ref: opts.against, scenarios: opts.againstScenarios, runs: opts.againstRuns, values: framedFixture(opts.events, opts.seed).values, stateAccounts: opts.stateAccounts, log,
    });
  }
  let kafkaResult: KafkaResult | undefined;
  let kafkaMissing: string | undefined = kafka.status === 'unavailable' ? kafka.reason : undefined;
  if (kafka.status === 'available') {
    // Before the state bench: its million accounts would stay in the RSS the Kafka runs report.
    (globalThis as { gc?: () => void }).gc?.();
    try {
      kafkaResult = await kafkaScenarios(kafka.target, {
        events: opts.kafkaEvents, rates: opts.kafkaRates, seconds: opts.kafkaSeconds, seed: opts.seed,
        ...(opts.kafkaWorkers === undefined ? {} : { workers: opts.kafkaWorkers }),
        ...(opts.kafkaAlertCommit === undefined ? {} : { alertCommit: opts.kafkaAlertCommit }),
      }, log);
    } catch (err) {
      // The in-process results are still written; the run fails so nobody takes it as complete.
      kafkaMissing = `failed: ${err instanceof Error ? err.message : String(err)}`;
      process.exitCode = 1;
    }
  }
  if (kafkaMissing !== undefined) log(`through Kafka: not measured (${kafkaMissing})`);
  if (opts.inProcess && wanted('state-idle-accounts')) {
    log(`state: ${opts.stateAccounts.toLocaleString('en')} idle accounts`);
    state.push(stateBytes((await loadRules()).map((l) => l.rule), opts.stateAccounts));
  }

  const result: BenchResult = {
    format: 1, startedAt, machine: machineInfo(), config: { events: opts.events, rates: opts.rates, seed: opts.seed, stateAccounts: opts.stateAccounts },
    throughput, latency, state,
    ...(kafkaResult === undefined ? {} : { kafka: kafkaResult }),
    ...(againstResult === undefined ? {} : { against: againstResult }),
    notMeasured: [
      ...(kafkaMissing === undefined ? [] : [{ scenario: 'through Kafka', reason: kafkaMissing }]),
      ...(opts.inProcess ? [] : [{ scenario: 'in-process', reason: 'skipped with --no-in-process' }]),
      ...(opts.inProcess && opts.only !== undefined ? [{ scenario: 'in-process', reason: `only ${opts.only.join(', ')} (--only)` }] : []),
      { scenario: 'per-rule latency in-process', reason: 'the in-process runs measure per event; per-rule latency is the service\'s own (kafka.latency[].service.rulesUs)' },
    ],
  };
  const dir = join(opts.out, startedAt.replace(/[:.]/g, '-'));
  mkdirSync(join(dir, 'histograms'), { recursive: true });
  writeFileSync(join(dir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const l of latency) writeFileSync(join(dir, 'histograms', `${l.name}.hdr`), `${l.histogram}\n`);
  for (const l of kafkaResult?.latency ?? []) {
    writeFileSync(join(dir, 'histograms', `${l.name}.hdr`), `${l.histogram}\n`);
    if (l.service.endToEndHistogram !== null) writeFileSync(join(dir, 'histograms', `${l.name}-service-end-to-end.hdr`), `${l.service.endToEndHistogram}\n`);
  }
  writeFileSync(join(dir, 'plot.svg'), plot(result));
  const k = kafkaResult;
  const summary = {
    dir,
    throughput: Object.fromEntries(throughput.map((t) => [t.name, t.eventsPerSec])),
    latencyUs: Object.fromEntries(latency.map((l) => [l.name, { achieved: l.achievedPerSec, ...l.latencyUs }])),
    bytesPerIdleAccount: state[0]?.bytesPerAccount,
    ...(againstResult === undefined ? {} : {
      against: {
        ref: againstResult.ref, commit: againstResult.commit.slice(0, 12), runs: againstResult.runs,
        scenarios: Object.fromEntries(againstResult.scenarios.map((x) => [`${x.name} ${x.metric}`, { ours: x.medianOurs, theirs: x.medianTheirs, ratio: x.ratio, oursRuns: x.ours, theirsRuns: x.theirs }])),
      },
    }),
    kafka: k === undefined ? `not measured: ${kafkaMissing ?? ''}` : {
      throughput: {
        eventsPerSec: k.throughput.eventsPerSec, target: k.throughput.target, startupMs: k.throughput.startupMs, wallMs: k.throughput.wallMs,
        cpuMs: { process: k.throughput.cpu.processMs, mainThread: k.throughput.cpu.mainThreadMs, shardThreads: k.throughput.cpu.shardThreadsMs, outsideProcess: k.throughput.cpu.outsideProcessMs },
        engineShareOfProcess: k.throughput.cpu.engineShareOfProcess, rssPeakMiB: k.throughput.rssPeakMiB,
      },
      latencyUs: Object.fromEntries(k.latency.map((l) => [l.name, {
        achieved: l.achievedPerSec, measured: l.measured, ...l.latencyUs,
        eventTimeFloor: { p50: l.eventTimeFloorUs.p50, p99: l.eventTimeFloorUs.p99 }, beyondFloor: { p50: l.beyondFloorUs.p50, p99: l.beyondFloorUs.p99 },
        serviceEndToEnd: l.service.endToEndUs === null ? null : { p50: l.service.endToEndUs.p50, p99: l.service.endToEndUs.p99 },
      }])),
    },
  };
  console.log(JSON.stringify(summary, null, 2));
}

const program = new Command('bench').description('Cepheus bench: throughput and latency of the in-process pipeline (decode + bundled rules) and of the service through Kafka');
/** `delay,gap` in ms, or `off`: a delay no commit interval reaches (the tick alone commits). */
function parseAlertCommit(v: string): AlertCommitSetting {
  if (v === 'off') return { delayMs: 60_000, gapMs: 0 };
  const [delayMs, gapMs] = v.split(',').map(Number);
  if (delayMs === undefined || gapMs === undefined || !Number.isInteger(delayMs) || !Number.isInteger(gapMs)) throw new Error(`--kafka-alert-commit: expected <delayMs>,<gapMs> or off, got ${v}`);
  return { delayMs, gapMs };
}

program.command('run', { isDefault: true })
  .description('run the bench and write results to bench/results/<stamp>/')
  .option('--events <n>', 'events in the generated fixture', (v) => Number(v), 500_000)
  .option('--rates <list>', 'offered rates for the open-loop runs, events/s', (v) => v.split(',').map(Number), [50_000, 100_000])
  .option('--state-accounts <n>', 'idle accounts for the state bench', (v) => Number(v), 1_000_000)
  .option('--seed <n>', 'fixture seed', (v) => Number(v), 42)
  .option('--out <dir>', 'results folder', 'bench/results')
  .option('--no-in-process', 'skip the in-process scenarios (run only through Kafka)')
  .option('--kafka <brokers|auto|off>', 'broker(s) on loopback for the through-Kafka scenarios; auto: CEPHEUS_KAFKA_BROKERS or 127.0.0.1:9092, if it and the registry (CEPHEUS_REGISTRY_URL) answer', 'auto')
  .option('--kafka-events <n>', 'events pre-produced for the through-Kafka throughput run', (v) => Number(v), 500_000)
  .option('--kafka-rates <list>', 'offered rates for the through-Kafka latency runs, events/s', (v) => v.split(',').map(Number), [20_000])
  .option('--kafka-seconds <n>', 'seconds of load per through-Kafka latency run', (v) => Number(v), 15)
  .option('--only <names>', 'in-process scenarios to run, by result name (e.g. workers-1,max-throughput); default: all', (v) => v.split(','))
  .option('--against <ref>', 'also run the in-process scenarios of another git ref (built in a temp folder), interleaved with this tree\'s, and report the ratios of the medians')
  .option('--against-runs <n>', 'interleaved runs per side with --against', (v) => Number(v), 3)
  .option('--against-scenarios <names>', 'scenarios compared with --against (also replay-jsonl, replay-avro: each side\'s cepheus replay of one generated file)', (v) => v.split(','), ['max-throughput', 'fixed-100k', 'state-idle-accounts'])
  .option('--kafka-alert-commit <delay,gap|off>', 'the service\'s alertCommitDelayMs,alertCommitGapMs in the latency runs; off: commits on the fixed commitIntervalMs tick only (the policy before alert commits)', parseAlertCommit)
  .option('--kafka-workers <n>', 'shard workers of the service (default: cores - 1)', (v) => Number(v))
  .action(run);
program.command('compare')
  .description('compare two result files; exit 1 when throughput < 0.85x or p99 > 1.2x of the baseline')
  .argument('<baseline>').argument('<candidate>')
  .action((a: string, b: string) => {
    const rows = compare(JSON.parse(readFileSync(a, 'utf8')) as BenchResult, JSON.parse(readFileSync(b, 'utf8')) as BenchResult);
    console.log(formatRatios(rows));
    if (rows.some((r) => !r.ok)) process.exitCode = 1;
  });
await program.parseAsync(process.argv);
