// Runs `cepheus run` as a real child process (as a user would, from the CLI) against the test
// broker and registry, and reads topics back. Every process a test starts is killed when the
// test file ends, whatever happened.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { BROKERS, REGISTRY_URL } from './env.ts';

export { freePort } from '../../../bench/lib/kafka-service.ts';

const running = new Set<ChildProcess>();
export function killAll(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

export interface ServiceConfig {
  readonly group: string;
  /** Replaces the test broker's `kafka:` settings (brokers, TLS, SASL). */
  readonly kafka?: Readonly<Record<string, unknown>>;
  readonly topics: Readonly<Record<string, string>>;
  readonly output: { readonly alerts: string; readonly deadLetter: string; readonly state: string };
  readonly port: number;
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Writes a JSON config for the test broker and registry; returns its path. */
export function writeConfig(c: ServiceConfig): string {
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-svc-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({
    kafka: { brokers: BROKERS, groupId: c.group, clientId: c.group, sessionTimeoutMs: 3000, ...c.kafka },
    registry: { url: REGISTRY_URL },
    topics: c.topics,
    output: { ...c.output, partitions: 2 },
    workers: 2,
    commitIntervalMs: 100,
    snapshotIntervalMs: 1000,
    idleTimeoutMs: 1500,
    api: { host: '127.0.0.1', port: c.port, tokens: { 'test-read-token': 'read', 'test-admin-token': 'admin' } },
    store: { path: join(dir, 'alerts.db') },
    log: { level: 'info' },
    ...c.extra,
  }, null, 2));
  return file;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Every log line so far (JSON lines from pino, and anything else on stdout/stderr). */
  readonly lines: string[];
  /** Resolves with the first line matching `re` (rejects after `ms`, or when the process exits). */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the service; its output also goes to .run/test-logs/<name>.log when `name` is given. */
export function startService(configFile: string, name?: string, args: readonly string[] = []): ServiceProcess {
  let log: WriteStream | undefined;
  if (name !== undefined) {
    mkdirSync('.run/test-logs', { recursive: true });
    log = createWriteStream(join('.run/test-logs', `${name}.log`));
  }
  // The config file says everything: CEPHEUS_* variables of the test run (CI sets the broker
  // and registry ones) would override it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CEPHEUS_')));
  const child = spawn(process.execPath, ['src/cli.ts', 'run', '--config', configFile, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  running.add(child);
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (buf: Buffer): void => {
    log?.write(buf);
    for (const l of buf.toString('utf8').split('\n')) {
      if (l === '') continue;
      lines.push(l);
      for (const w of [...waiters]) {
        if (w.re.test(l)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(l);
        }
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      log?.end();
      resolve({ code, signal });
    });
  });
  return {
    child, lines, exited,
    waitFor: (re, ms = 60_000) => {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no log line matching ${re} within ${ms} ms; last lines:\n${lines.slice(-15).join('\n')}`)), ms);
        const w = { re, resolve: (l: string) => {
          clearTimeout(timer);
          resolve(l);
        } };
        waiters.push(w);
        void exited.then((x) => {
          clearTimeout(timer);
          if (waiters.includes(w)) reject(new Error(`the service exited (${JSON.stringify(x)}) before a line matching ${re}; last lines:\n${lines.slice(-15).join('\n')}`));
        });
      });
    },
  };
}

export interface ReadRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Every committed record of a topic (read_committed), read until the end offsets taken now
 * (or, with `atLeast`, until that many records arrived or `ms` passed).
 */
export async function readTopic(kafka: Kafka, topic: string, o: { atLeast?: number; ms?: number } = {}): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const out: ReadRecord[] = [];
  const todo = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  if (todo.size === 0 && o.atLeast === undefined) return out;
  const consumer = kafka.consumer({ groupId: `reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  const deadline = Date.now() + (o.ms ?? 30_000);
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = (): boolean => (o.atLeast !== undefined ? out.length >= o.atLeast : todo.size === 0);
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      const end = todo.get(e.payload.partition);
      if (end !== undefined && BigInt(e.payload.lastOffset) + 1n >= end) todo.delete(e.payload.partition);
    });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
        out.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value, headers });
      },
    });
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The log line of a service that holds its partitions and has its state: ready to consume. */
export const STARTED = /"msg":"(no checkpoint: starting with empty state|restored the checkpoint); (consuming|replaying up to the committed offsets)"/;
/** Started from nothing (no checkpoint yet). */
export const STARTED_FRESH = /"msg":"no checkpoint: starting with empty state; consuming"/;

/**
 * The service's /metrics text without the `cepheus_instance` label every sample carries (the
 * instance name holds the pid), so tests can match whole sample lines.
 */
export async function metricsText(base: string, token = 'test-read-token'): Promise<string> {
  const text = await (await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  return text.replace(/\{cepheus_instance="[^"]*"\}/g, '').replace(/,cepheus_instance="[^"]*"/g, '').replace(/\{cepheus_instance="[^"]*",/g, '{');
}
