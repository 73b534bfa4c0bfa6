// A second, private Kafka broker for fault tests (a broker outage): the same jars as the
// shared one (scripts/kafka/fetch.sh puts them in .cache/kafka-<version>/libs), its own free
// ports and data directory, stoppable and restartable with its data kept. The shared broker
// is never touched. Whatever a test does, stopAll() (afterAll) kills what was started here.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../bench/lib/kafka-service.ts';

const VERSION = process.env['CEPHEUS_KAFKA_VERSION'] ?? '4.1.2';
/** Where the broker jars are: CEPHEUS_KAFKA_LIBS, or where scripts/kafka/fetch.sh puts them. */
export const KAFKA_LIBS = process.env['CEPHEUS_KAFKA_LIBS'] ?? resolve('.cache', `kafka-${VERSION}`, 'libs');

/** A Java >= 17, as scripts/kafka/common.sh looks for one. */
function findJava(): string | undefined {
  const jvms = existsSync('/usr/lib/jvm') ? readdirSync('/usr/lib/jvm').map((d) => join('/usr/lib/jvm', d, 'bin', 'java')) : [];
  const candidates = [process.env['JAVA_HOME'] === undefined ? '' : join(process.env['JAVA_HOME'], 'bin', 'java'), 'java', ...jvms];
  for (const c of candidates) {
    if (c === '') continue;
    const r = spawnSync(c, ['-version'], { encoding: 'utf8' });
    const major = Number(/version "(\d+)/.exec(r.stderr ?? '')?.[1] ?? 0);
    if (r.status === 0 && major >= 17) return c;
  }
  return undefined;
}

/** Why a private broker cannot start here (no jars, no Java), or null when it can. */
export function ownBrokerMissing(): string | null {
  if (!existsSync(join(KAFKA_LIBS, '.complete'))) return `no Kafka jars in ${KAFKA_LIBS} (run scripts/kafka/fetch.sh, or set CEPHEUS_KAFKA_LIBS)`;
  if (findJava() === undefined) return 'no Java >= 17';
  return null;
}

const portOpen = (port: number): Promise<boolean> => new Promise((done) => {
  const s = connect(port, '127.0.0.1');
  s.once('connect', () => {
    s.destroy();
    done(true);
  });
  s.once('error', () => done(false));
});

export interface OwnBroker {
  /** host:port of its PLAINTEXT listener. */
  readonly address: string;
  /** Starts it (again: its data and topics are kept); resolves once its port accepts connections. */
  start(): Promise<void>;
  /** SIGTERM, then SIGKILL after 15 s; resolves once the JVM exited. */
  stop(): Promise<void>;
}

const started = new Set<ChildProcess>();
const dirs: string[] = [];

/** Kills every broker started here and removes their data. */
export function stopAll(): void {
  for (const c of started) c.kill('SIGKILL');
  started.clear();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Formats a single-node KRaft broker on free loopback ports (not started yet). */
export async function ownBroker(): Promise<OwnBroker> {
  const java = findJava();
  if (java === undefined) throw new Error('no Java >= 17 for a private broker');
  const [port, controller] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'cepheus-own-broker-'));
  dirs.push(dir);
  const props = join(dir, 'server.properties');
  writeFileSync(props, [
    'process.roles=broker,controller', 'node.id=1',
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controller}`, `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER', 'inter.broker.listener.name=PLAINTEXT', 'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `controller.quorum.voters=1@127.0.0.1:${controller}`, `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1', 'default.replication.factor=1', 'min.insync.replicas=1', 'offsets.topic.replication.factor=1', 'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1', 'transaction.state.log.min.isr=1', 'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0', 'group.min.session.timeout.ms=1000', 'log.cleaner.dedupe.buffer.size=2097152', 'log.cleaner.threads=1',
    'auto.create.topics.enable=false',
  ].join('\n'));
  writeFileSync(join(dir, 'log4j2.properties'), [
    'status = warn', 'appender.console.type = Console', 'appender.console.name = STDOUT', 'appender.console.layout.type = PatternLayout',
    'appender.console.layout.pattern = [%d] %p %m (%c)%n', 'rootLogger.level = WARN', 'rootLogger.appenderRef.stdout.ref = STDOUT',
  ].join('\n'));
  const cp = `${KAFKA_LIBS}/*`;
  const fmt = spawnSync(java, ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', `cepheus-own-${port}-000000`, '-c', props], { encoding: 'utf8' });
  if (fmt.status !== 0) throw new Error(`formatting a private broker failed: ${fmt.stderr || fmt.stdout}`);
  let child: ChildProcess | undefined;
  return {
    address: `127.0.0.1:${port}`,
    async start() {
      if (child !== undefined) return;
      const c = spawn(java, ['-Xmx384m', '-Xms128m', '-cp', cp, `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`, 'kafka.Kafka', props], { cwd: dir, stdio: 'ignore' });
      child = c;
      started.add(c);
      const exited = new Promise<void>((done) => c.once('exit', () => done()));
      let gone = false;
      void exited.then(() => {
        gone = true;
      });
      const deadline = Date.now() + 60_000;
      while (!(await portOpen(port))) {
        if (gone) throw new Error(`the private broker on ${port} exited during start-up`);
        if (Date.now() > deadline) throw new Error(`the private broker on ${port} did not open its port in 60 s`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      const c = child;
      if (c === undefined) return;
      child = undefined;
      const exited = new Promise<void>((done) => (c.exitCode !== null || c.signalCode !== null ? done() : c.once('exit', () => done())));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
      started.delete(c);
    },
  };
}
