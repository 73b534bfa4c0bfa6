// Helpers for the RabbitMQ source tests (scripts/rabbitmq/start.sh): streams created and
// filled as the admin user, events Confluent-framed like the Kafka topics' (schemas
// registered under <stream>-value), the service reading as the read-only `cepheus` user.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect } from 'amqplib';
import type { ChannelModel } from 'amqplib';
import { inject } from 'vitest';
import { pino } from 'pino';
import { loadEventSchemas } from '../../../src/events/schemas.ts';
import type { AnyEvent, EventKind } from '../../../src/events/types.ts';
import { encodeConfluentValue } from '../../../src/io/confluent-frame.ts';
import { SchemaResolver } from '../../../src/kafka/registry.ts';
import { registry } from './kafka.ts';
import { RABBITMQ_SECRETS, RABBITMQ_URL } from './env.ts';

export const rabbitAvailable = (): boolean => inject('rabbitAvailable');
export const rabbitPasswordFile = (user: 'admin' | 'cepheus'): string => join(RABBITMQ_SECRETS, `${user}.password`);
const passwordOf = (user: 'admin' | 'cepheus'): string => readFileSync(rabbitPasswordFile(user), 'utf8').trim();

export function rabbitAdmin(): Promise<ChannelModel> {
  const u = new URL(RABBITMQ_URL);
  return connect({ protocol: 'amqp', hostname: u.hostname, port: Number(u.port || 5672), vhost: '/', username: 'admin', password: passwordOf('admin') });
}

/** The `sources:` entry reading `streams` as the service's user. */
export const rabbitSource = (streams: Readonly<Record<string, string>>, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> => ({
  type: 'rabbitmq-stream', url: RABBITMQ_URL, username: 'cepheus', passwordFile: rabbitPasswordFile('cepheus'), streams, ...extra,
});

/** Creates the streams (durable, x-queue-type stream). */
export async function createStreams(names: readonly string[]): Promise<void> {
  const c = await rabbitAdmin();
  try {
    const ch = await c.createChannel();
    for (const n of names) await ch.assertQueue(n, { durable: true, arguments: { 'x-queue-type': 'stream' } });
  } finally {
    await c.close();
  }
}

/**
 * Publishes events to their kind's stream, Confluent-framed, the AMQP timestamp (seconds) set
 * to now; `raw` messages (poison) go where `rawAt` says, before the event of that index.
 * Waits for the broker's confirms.
 */
export async function publishEvents(events: Iterable<AnyEvent>, streamOf: Readonly<Partial<Record<EventKind, string>>>, raw: readonly { readonly at: number; readonly stream: string; readonly body: Buffer }[] = []): Promise<number> {
  const resolver = new SchemaResolver(registry(), pino({ level: 'silent' }));
  const ids = new Map<EventKind, number>();
  for (const s of loadEventSchemas()) {
    const kind = s.kind as EventKind;
    const stream = streamOf[kind];
    if (stream !== undefined) ids.set(kind, await resolver.register(JSON.stringify(s.schema), `${stream}-value`));
  }
  const c = await rabbitAdmin();
  let n = 0;
  try {
    const ch = await c.createConfirmChannel();
    const now = Math.floor(Date.now() / 1000);
    let i = 0;
    for (const e of events) {
      for (const r of raw) if (r.at === i) ch.sendToQueue(r.stream, r.body, { timestamp: now });
      const stream = streamOf[e.kind];
      i++;
      if (stream === undefined) continue;
      ch.sendToQueue(stream, encodeConfluentValue(e, ids.get(e.kind) as number), { timestamp: now });
      n++;
      if (n % 2000 === 0) await ch.waitForConfirms();
    }
    for (const r of raw) if (r.at >= i) ch.sendToQueue(r.stream, r.body, { timestamp: now });
    await ch.waitForConfirms();
  } finally {
    await c.close();
  }
  return n;
}

/**
 * Crashes the node (SIGKILL to the server script and its Erlang VM, as a power cut would) and
 * starts it again on the same data (CEPHEUS_RABBITMQ_KEEP_DATA=1): streams, users, passwords kept.
 */
/** The RabbitMQ node's processes (the pid start.sh wrote and its children). */
async function rabbitPids(): Promise<number[]> {
  const pid = Number(readFileSync(join(dirname(RABBITMQ_SECRETS), 'server.pid'), 'utf8').trim());
  const children = await run('pgrep', ['-P', String(pid)]).then((o) => o.split('\n').filter(Boolean).map(Number), () => []);
  return [...children, pid];
}

/**
 * Stalls the node for `ms` (SIGSTOP, then SIGCONT): connections stay open, nothing is
 * delivered or answered meanwhile, as with a node stuck in a long pause.
 */
export async function stallRabbit(ms: number): Promise<void> {
  const pids = await rabbitPids();
  for (const p of pids) process.kill(p, 'SIGSTOP');
  try {
    await new Promise((r) => setTimeout(r, ms));
  } finally {
    for (const p of pids) process.kill(p, 'SIGCONT');
  }
}

export async function crashAndRestartRabbit(): Promise<void> {
  const dir = dirname(RABBITMQ_SECRETS);
  const pid = Number(readFileSync(join(dir, 'server.pid'), 'utf8').trim());
  const children = await run('pgrep', ['-P', String(pid)]).then((o) => o.split('\n').filter(Boolean).map(Number), () => []);
  const alive = (p: number): boolean => {
    try {
      process.kill(p, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const p of [...children, pid]) if (alive(p)) process.kill(p, 'SIGKILL');
  // start.sh sees a node whose pid still answers as running: wait until they are gone.
  for (let i = 0; i < 300 && [...children, pid].some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  rmSync(join(dir, 'server.pid'), { force: true });
  const port = new URL(RABBITMQ_URL).port || '5672';
  await run('bash', ['scripts/rabbitmq/start.sh'], { ...process.env, CEPHEUS_RABBITMQ_KEEP_DATA: '1', CEPHEUS_RABBITMQ_PORT: port });
}

const run = (cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> => new Promise((resolve, reject) => {
  execFile(cmd, [...args], { env, timeout: 120_000 }, (err, stdout, stderr) => (err === null ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`))));
});
