// `npm run bench:overload`: memory of the service when its input arrives far faster than it
// can process it. A backlog of N events is produced first (the consumer can read it at
// several times the engine's rate, the worst overload there is), then `cepheus run` runs as
// its own process and its RSS is sampled from /proc while it works through the backlog.
// Bounded memory means the RSS levels off whatever N is: the backlog stays in Kafka (the
// consumer pauses when maxInFlight rounds are out), not in the process.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { generate } from '../src/fixture-generator/generate.ts';
import { produceEvents } from '../src/kafka/event-producer.ts';
import { SchemaResolver, registryClient } from '../src/kafka/registry.ts';
import { kafkaTarget } from './lib/kafka-env.ts';
import { KafkaRun, benchConfig, freePort, inputTopics } from './lib/kafka-service.ts';
import { machineInfo } from './lib/machine.ts';
import { CepError } from '../src/core/errors.ts';

const log = (s: string): void => {
  process.stderr.write(`[overload] ${s}\n`);
};

const rssMiB = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? 0 : Math.round(Number(m[1]) / 1024);
};

async function counters(port: number, token: string): Promise<Record<string, number>> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2000) })).text();
    // Unlabelled samples, but for the instance label every sample carries.
    return Object.fromEntries([...text.matchAll(/^cepheus_([a-z_0-9]+)(?:\{cepheus_instance="[^"]*"\})? ([0-9.e+-]+)$/gm)].map((m) => [m[1] as string, Number(m[2])]));
  } catch {
    return {};
  }
}

async function main(o: { events: number; kafka: string; out?: string }): Promise<void> {
  const t = await kafkaTarget(o.kafka);
  if (t.status !== 'available') throw new CepError('CEP_ERR_BENCH_KAFKA', `${t.reason}`);
  const run = new KafkaRun('overload', t.target);
  try {
    await run.createInputTopics();
    const token = 'overload-read-token';
    const port = await freePort();
    const config = benchConfig(t.target, run.names, { api: { port, token, storePath: join(run.tempDir(), 'alerts.db') } });
    log(`producing a backlog of ${o.events.toLocaleString('en')} events`);
    const produced = await produceEvents(generate({ seed: 42, events: o.events, accounts: Math.max(400, Math.round(o.events / 2500)) }).events, {
      kafka: run.kafka, resolver: new SchemaResolver(registryClient({ url: t.target.registryUrl }), run.log.logger), topics: inputTopics(config),
    });
    const file = join(run.tempDir(), 'config.json');
    writeFileSync(file, JSON.stringify(config));
    log(`backlog produced in ${produced.ms} ms; starting cepheus run as its own process`);
    const child = spawn(process.execPath, ['--disable-warning=TimeoutNegativeWarning', 'src/cli.ts', 'run', '--config', file], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    run.onCleanup(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const samples: { t: number; events: number; rss: number; lag: number }[] = [];
    const t0 = performance.now();
    let last: Record<string, number> = {};
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      if (child.exitCode !== null) throw new Error(`cepheus run exited early (${child.exitCode})`);
      last = await counters(port, token);
      const events = last['events_total'] ?? 0;
      samples.push({ t: Math.round(performance.now() - t0), events, rss: rssMiB(child.pid as number), lag: last['consumer_lag_records'] ?? 0 });
      if (events >= o.events) break;
      if (performance.now() - t0 > 600_000) throw new Error('the backlog was not consumed within 10 minutes');
    }
    child.kill('SIGTERM');
    const code = await exited;
    const rss = samples.map((s) => s.rss);
    const at = (share: number): number => (samples.find((s) => s.events >= o.events * share) ?? samples[samples.length - 1])?.rss ?? 0;
    const firstFull = samples.find((s) => s.events > 0);
    const seconds = ((samples[samples.length - 1]?.t ?? 0) - (firstFull?.t ?? 0)) / 1000;
    const result = {
      format: 1, startedAt: new Date().toISOString(), machine: machineInfo(), events: o.events, exitCode: code,
      eventsPerSec: seconds > 0 ? Math.round(o.events / seconds) : 0,
      rssMiB: { max: Math.max(...rss), at25: at(0.25), at50: at(0.5), at75: at(0.75), at100: at(1) },
      maxLag: Math.max(...samples.map((s) => s.lag)), backpressurePauses: last['backpressure_pauses_total'] ?? 0,
      config: { maxInFlight: config.maxInFlight, roundMaxValues: config.roundMaxValues, workers: config.workers ?? null },
      samples,
    };
    if (o.out !== undefined) writeFileSync(o.out, `${JSON.stringify(result, null, 2)}\n`);
    const { samples: _s, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    await run.close();
  }
}

const program = new Command('overload').description('service RSS while it works through a Kafka backlog far bigger than it can hold');
program
  .option('--events <n>', 'events in the backlog', (v) => Number(v), 1_000_000)
  .option('--kafka <brokers|auto>', 'broker(s) on loopback (auto: CEPHEUS_KAFKA_BROKERS or 127.0.0.1:9092)', 'auto')
  .option('--out <file>', 'also write the result (with every sample) to this file')
  .action(main);
await program.parseAsync(process.argv);
