// The Cepheus service as the through-Kafka scenarios run it: in the bench process, on fresh
// topics no other run (or engineer) uses, with a config built in code, its log captured
// (last lines kept for error messages, the whole log in .run/bench/<run>.log), and
// everything it created removed when the scenario ends, whatever happened.
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { validateConfig } from '../../src/config/config.ts';
import type { Config } from '../../src/config/config.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { EventKind } from '../../src/events/types.ts';
import { kafkaClient } from '../../src/kafka/client.ts';
import { startService } from '../../src/service/service.ts';
import type { Service } from '../../src/service/service.ts';
import { inputsOf } from '../../src/config/inputs.ts';
import type { InputTopic } from '../../src/config/inputs.ts';
import type { KafkaTarget } from './kafka-env.ts';
import { CepError } from '../../src/core/errors.ts';

export const INPUT_PARTITIONS = 3;

/** Names of one scenario run: input topic per kind, outputs, group. */
export interface RunNames {
  readonly run: string;
  readonly inputs: Readonly<Record<EventKind, string>>;
  readonly alerts: string;
  readonly deadLetter: string;
  readonly state: string;
}

export function runNames(scenario: string): RunNames {
  const run = `cepheus-bench.${scenario}.${Date.now().toString(36)}.${randomUUID().slice(0, 6)}`;
  return {
    run, inputs: Object.fromEntries(EVENT_KINDS.map((k) => [k, `${run}.in.${k}`])) as Record<EventKind, string>,
    alerts: `${run}.alerts`, deadLetter: `${run}.dlq`, state: `${run}.state`,
  };
}

export const allTopics = (n: RunNames): string[] => [...Object.values(n.inputs), n.alerts, n.deadLetter, n.state];

/** A free loopback port for the service's API. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

export interface ConfigOptions {
  readonly workers?: number | undefined;
  /** The REST API on this loopback port with one read token; absent: no API (and no alert store). */
  readonly api?: { readonly port: number; readonly token: string; readonly storePath: string };
  readonly idleTimeoutMs?: number;
  /** The alert commit policy (config alertCommitDelayMs / alertCommitGapMs); the defaults when absent. */
  readonly alertCommit?: AlertCommitSetting | undefined;
}

export interface AlertCommitSetting {
  readonly delayMs: number;
  readonly gapMs: number;
}

/** The service config of one run, validated as `cepheus run` would (defaults filled in). */
export function benchConfig(target: KafkaTarget, n: RunNames, o: ConfigOptions = {}): Config {
  return validateConfig({
    kafka: { brokers: [...target.brokers], clientId: n.run, groupId: n.run },
    registry: { url: target.registryUrl },
    topics: n.inputs,
    output: { alerts: n.alerts, deadLetter: n.deadLetter, state: n.state, partitions: INPUT_PARTITIONS },
    ...(o.workers === undefined ? {} : { workers: o.workers }),
    ...(o.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: o.idleTimeoutMs }),
    ...(o.alertCommit === undefined ? {} : { alertCommitDelayMs: o.alertCommit.delayMs, alertCommitGapMs: o.alertCommit.gapMs }),
    api: o.api === undefined ? { enabled: false } : { enabled: true, host: '127.0.0.1', port: o.api.port, tokens: { [o.api.token]: 'read' } },
    ...(o.api === undefined ? {} : { store: { path: o.api.storePath } }),
    log: { level: 'info' },
  }, 'bench config');
}

export const inputTopics = (c: Config): readonly InputTopic[] => inputsOf(c).topics;

/** The service's (and the bench's Kafka clients') log: kept in a file, its tail and markers in memory. */
export class ServiceLog {
  readonly path: string;
  readonly logger: Logger;
  readonly tail: string[] = [];
  warnings = 0;
  /** performance.now() when the service logged that idle input was flushed. */
  flushedAt: number | undefined;
  private readonly file: WriteStream;
  private closed = false;

  constructor(run: string) {
    mkdirSync('.run/bench', { recursive: true });
    this.path = join('.run/bench', `${run}.log`);
    this.file = createWriteStream(this.path);
    this.logger = pino({ level: 'info', base: { service: 'cepheus', instance: 'bench' } }, { write: (line: string) => this.line(line) });
  }

  private line(line: string): void {
    // A kafkajs client may still log while the run is torn down.
    if (!this.closed) this.file.write(line);
    this.tail.push(line.trimEnd());
    if (this.tail.length > 20) this.tail.shift();
    if (/"level":(4|5|6)\d/.test(line)) this.warnings++;
    if (this.flushedAt === undefined && line.includes('input idle: flushed')) this.flushedAt = performance.now();
  }

  describe(): string {
    return `last service log lines (all in ${this.path}):\n${this.tail.join('\n')}`;
  }

  close(): Promise<void> {
    this.closed = true;
    return new Promise((resolve) => this.file.end(resolve));
  }
}

/** Polls `ready` every `everyMs` until it holds; throws after `ms` naming what was awaited. */
export async function until(ready: () => boolean, what: string, ms: number, log: ServiceLog, everyMs = 20): Promise<void> {
  const deadline = performance.now() + ms;
  while (!ready()) {
    if (performance.now() > deadline) throw new CepError('CEP_ERR_BENCH_KAFKA_TIMEOUT', `${what} did not happen within ${ms} ms; ${log.describe()}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** One scenario's resources: Kafka client, the service, a temp dir, and how to release them all. */
export class KafkaRun {
  readonly names: RunNames;
  readonly log: ServiceLog;
  readonly kafka: Kafka;
  readonly target: KafkaTarget;
  service: Service | undefined;
  private tmp: string | undefined;
  private readonly cleanups: (() => Promise<unknown>)[] = [];

  constructor(scenario: string, target: KafkaTarget) {
    this.names = runNames(scenario);
    this.target = target;
    this.log = new ServiceLog(this.names.run);
    this.kafka = kafkaClient(benchConfig(target, this.names).kafka, this.log.logger, `${this.names.run}-bench`);
  }

  tempDir(): string {
    this.tmp ??= mkdtempSync(join(tmpdir(), 'cepheus-bench-'));
    return this.tmp;
  }

  /** Runs `fn` at the end (last registered first), errors ignored. */
  onCleanup(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  async createInputTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: Object.values(this.names.inputs).map((topic) => ({ topic, numPartitions: INPUT_PARTITIONS, replicationFactor: -1 })) });
    } finally {
      await admin.disconnect();
    }
  }

  async startService(config: Config): Promise<Service> {
    const svc = await startService(config, { log: this.log.logger, instance: 'bench' });
    this.service = svc;
    return svc;
  }

  /** Waits until the service has its partitions, restored (nothing) and consumes. */
  async live(ms = 60_000): Promise<number> {
    await until(() => this.service?.pipeline.mode === 'live', 'the service going live (group joined, partitions assigned)', ms, this.log, 5);
    return performance.now();
  }

  /** Stops the service (exit code 0 expected), runs the cleanups, deletes the run's topics. */
  /** Stops the service, keeping the topics (for a bare consumer to read them after it). */
  async stopService(): Promise<number | undefined> {
    const svc = this.service;
    this.service = undefined;
    if (svc === undefined) return undefined;
    await svc.stop().catch(() => undefined);
    return svc.done;
  }

  async close(): Promise<{ exitCode: number | undefined }> {
    let exitCode: number | undefined;
    const svc = this.service;
    this.service = undefined;
    for (const c of this.cleanups.reverse()) await c().catch(() => undefined);
    if (svc !== undefined) {
      await svc.stop().catch(() => undefined);
      exitCode = await svc.done;
    }
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const mine = allTopics(this.names).filter((t) => existing.has(t));
      // The bench's topics hold hundreds of thousands of records on a shared broker: drop them.
      if (mine.length > 0) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
    } catch (err) {
      this.log.logger.warn({ err: (err as Error).message }, 'could not delete the bench topics');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
    await this.log.close();
    return { exitCode };
  }
}
