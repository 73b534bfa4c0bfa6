// `cepheus run`: the long-running service. Wires the config to Kafka (source, transactional
// sink, admin, schema registry), the pipeline (pipeline.ts: shard workers, commits), the
// alert store fed by the alerts topic and the REST API. Start-up checks fail with a coded message that says what to
// fix (config, missing topics, unreachable broker, an output topic's record limit too low); output
// topics it creates get a record limit that fits what it writes (topic-limits.ts); SIGTERM / SIGINT stop gracefully (what was
// read is processed and committed with a checkpoint), a second signal exits at once.
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { AlertBus } from '../store/alert-bus.ts';
import { buildApi } from '../http/server.ts';
import type { Config } from '../config/config.ts';
import { KafkaAdmin } from '../kafka/admin.ts';
import { kafkaClient } from '../kafka/client.ts';
import { checkBrokers } from '../kafka/preflight.ts';
import { listenOrExplain } from '../http/listen.ts';
import { SchemaResolver, registryClient } from '../kafka/registry.ts';
import { KafkaTransactionalSink } from '../kafka/sink.ts';
import { KafkaSource } from '../kafka/source.ts';
import { LatencyRecorder } from '../metrics/latency.ts';
import { loadRules } from '../rules/load-rules.ts';
import { ALERT_SCHEMA, plainAlertWire, registryAlertWire } from '../store/alert-codec.ts';
import type { AlertWire } from '../store/alert-codec.ts';
import { startAlertFeed } from '../store/alert-feed.ts';
import type { AlertFeed } from '../store/alert-feed.ts';
import { AlertStore } from '../store/alert-store.ts';
import { WorkerShards, defaultShards } from '../workers/shard-pool.ts';
import { inputsOf } from '../config/inputs.ts';
import { shardHeapMb } from '../config/heap-limits.ts';
import { readCheckpoint } from './checkpoint.ts';
import { signalsOf } from './counters.ts';
import { Pipeline } from './pipeline.ts';
import { serviceStateQuery } from './state-query.ts';
import { HEADER_ROOM, TopicLimits, checkTopicLimits, createdTopicBytes } from './topic-limits.ts';

export interface ServiceOptions {
  readonly log?: Logger;
  /** Names this instance in the group (default: host name and pid). */
  readonly instance?: string;
}

export interface Service {
  readonly pipeline: Pipeline;
  readonly api: FastifyInstance | undefined;
  /** Stops gracefully (idempotent). */
  stop(): Promise<void>;
  /** Resolves with the exit code once the service stopped (by stop() or a fatal error). */
  readonly done: Promise<number>;
}

export async function startService(config: Config, o: ServiceOptions = {}): Promise<Service> {
  const instance = o.instance ?? `${hostname()}-${process.pid}`;
  const log = o.log ?? pino({ level: config.log.level, base: { service: 'cepheus', instance } });
  const startedAt = Date.now();
  const inputs = inputsOf(config);
  const loaded = await loadRules(config.rules);
  const rules = loaded.map((l) => ({ id: l.rule.id, version: l.rule.version }));
  const shards = config.workers ?? defaultShards();
  const shardHeap = shardHeapMb(config.engine, shards, config.engine.heapLimitMb);
  // Connection errors of any client are evidence that the broker is unreachable (/readyz).
  let connectionError: (message: string) => void = () => undefined;
  await checkBrokers(config.kafka.brokers);
  const kafka = kafkaClient(config.kafka, log, config.kafka.clientId, (m) => connectionError(m));
  const admin = new KafkaAdmin(kafka);
  await admin.connect();
  const cleanup: (() => Promise<void>)[] = [() => admin.disconnect()];
  try {
    const inputTopics = inputs.topics.map((t) => t.topic);
    await admin.partitionsOf(inputTopics);
    const out = config.output;
    const inputLimits = await admin.maxMessageBytes(inputTopics);
    const sizes = createdTopicBytes(out, inputLimits.values());
    const sized = (topic: string): Record<string, string> => ({ 'max.message.bytes': String(sizes.get(topic)) });
    const created = await admin.ensureTopics([
      { topic: out.state, partitions: 1, replicationFactor: out.replicationFactor, config: { 'cleanup.policy': 'compact', 'segment.ms': '600000', 'min.cleanable.dirty.ratio': '0.1', ...sized(out.state) } },
      ...(out.createTopics ? [out.alerts, out.deadLetter, out.late ?? out.deadLetter].map((topic) => ({ topic, partitions: out.partitions, replicationFactor: out.replicationFactor, config: sized(topic) })) : []),
    ]);
    if (created.length > 0) log.info({ topics: created, maxMessageBytes: Object.fromEntries(created.map((t) => [t, sizes.get(t)])) }, 'created missing topics');
    const outputTopics = [...sizes.keys()];
    const limits = new TopicLimits(await admin.maxMessageBytes(outputTopics), () => admin.maxMessageBytes(outputTopics));
    checkTopicLimits(limits.all);
    const largestInput = Math.max(0, ...inputLimits.values());
    log.info({ inputs: Object.fromEntries(inputLimits), outputs: Object.fromEntries(limits.all) }, 'topic limits (max.message.bytes)');
    for (const t of new Set([out.deadLetter, out.late ?? out.deadLetter])) {
      if (limits.of(t) < largestInput + HEADER_ROOM) log.warn({ topic: t, maxMessageBytes: limits.of(t), largestInput }, 'input records bigger than this dead-letter topic accepts are dead-lettered by reference (coordinates, size, first bytes)');
    }

    const registry = config.registry === null ? null : registryClient(config.registry);
    const resolver = registry === null ? null : new SchemaResolver(registry, log);
    let wire: AlertWire;
    if (resolver !== null && registry !== null) {
      const id = await resolver.register(ALERT_SCHEMA, `${out.alerts}-value`);
      wire = registryAlertWire(registry, id);
      log.info({ subject: `${out.alerts}-value`, schemaId: id }, 'alert schema registered');
    } else {
      wire = plainAlertWire();
    }

    const sink = new KafkaTransactionalSink(kafka, `cepheus-${config.kafka.groupId}`);
    await sink.connect();
    cleanup.push(() => sink.disconnect());
    const source = new KafkaSource(kafka, {
      groupId: config.kafka.groupId, topics: inputs.topics.map((t) => t.topic), sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      fromBeginning: config.startFrom === 'earliest', startedAt, instance, log,
    });
    const latency = new LatencyRecorder();
    let fatal: (err: Error) => void = () => undefined;
    const pipeline = new Pipeline({
      config, inputs, log, source, sink, admin, resolver, rules, latency,
      encodeAlert: wire.encode,
      readCheckpoint: () => readCheckpoint(kafka, out.state, config.kafka.groupId, log),
      backend: () => new WorkerShards(shards, shardHeap),
      onFatal: (err) => fatal(err),
      limits,
    });
    connectionError = (m) => pipeline.brokerError(m);

    let store: AlertStore | undefined;
    let feed: AlertFeed | undefined;
    let api: FastifyInstance | undefined;
    const bus = new AlertBus();
    if (config.api.enabled) {
      mkdirSync(dirname(config.store.path), { recursive: true });
      store = new AlertStore(config.store.path);
      if (config.store.retentionDays !== undefined) store.prune(Date.now() - config.store.retentionDays * 86_400_000, undefined);
      const feedKafka = kafkaClient(config.kafka, log, `${config.kafka.clientId}-store`, (m) => connectionError(m));
      feed = await startAlertFeed({
        kafka: feedKafka, wire, topic: out.alerts, groupId: `${config.kafka.groupId}.store.${instance}`, store, bus,
        onError: (err, offset) => log.warn({ offset, err }, 'alerts topic record not readable; skipped by the store'),
      });
      const s = store;
      const f = feed;
      api = await buildApi({
        store: s, bus, latency, tokens: config.api.tokens, ruleModules: loaded, engineOptions: config.engine, mcp: config.api.mcp, instance,
        rules: { list: () => pipeline.rules(), setEnabled: (id, on) => pipeline.setEnabled(id, on) },
        state: serviceStateQuery(pipeline, loaded, config.engine),
        ready: () => pipeline.readiness(),
        onInternalError: (err) => log.error({ err }, 'API request failed (500)'),
        signals: () => signalsOf(pipeline.counters, pipeline.deadLettersByCode, {
          consumerLag: pipeline.lag(), watermark: pipeline.watermark(), shardBusyMs: pipeline.shardLoad.map((l) => l.busyMs), storeRecords: f.stats().records, keySpaces: pipeline.keySpaces.spaces,
          health: pipeline.health.levels(Date.now()),
        }),
      });
      if (Object.keys(config.api.tokens).length === 0) log.warn('no api.tokens configured: every API route but /healthz and /readyz answers 401');
      try {
        await listenOrExplain(api, config.api.host, config.api.port, 'api.port in the config (or CEPHEUS_API_PORT=<n>)');
      } catch (err) {
        await f.stop().catch(() => undefined);
        s.close();
        throw err;
      }
      log.info({ url: `http://${config.api.host}:${config.api.port}` }, 'REST API listening');
    }

    await source.start(pipeline.handlers());
    pipeline.start();
    log.info({
      group: config.kafka.groupId, topics: inputs.topics.map((t) => t.topic), shards, rules: rules.length, store: store === undefined ? null : config.store.path,
      mainHeapSizeLimitMb: Math.round(getHeapStatistics().heap_size_limit / 1048576), shardOldGenerationMb: shardHeap,
    }, 'cepheus service started');

    let exit!: (code: number) => void;
    const done = new Promise<number>((resolve) => {
      exit = resolve;
    });
    let stopping: Promise<void> | undefined;
    const stop = (code = 0): Promise<void> => {
      stopping ??= (async () => {
        log.info('stopping: finishing what was read, committing a checkpoint');
        const took: Record<string, number> = {};
        const step = async (name: string, f: () => Promise<void> | void): Promise<void> => {
          const t0 = performance.now();
          await f();
          took[name] = Math.round(performance.now() - t0);
        };
        try {
          // A registry outage must not hold the stop: a schema lookup in progress gives up.
          resolver?.stop();
          await step('pipeline', () => pipeline.stop());
          await step('consumer', () => source.stop());
          await step('store', () => feed?.stop());
          await step('api', () => api?.close());
          store?.close();
          await step('clients', async () => {
            for (const c of cleanup.reverse()) await c().catch(() => undefined);
          });
        } finally {
          log.info({ code, ms: took }, 'stopped');
          exit(code);
        }
      })();
      return stopping;
    };
    fatal = (err) => {
      log.fatal({ err }, 'fatal: stopping');
      void stop(1);
    };
    return { pipeline, api, stop: () => stop(0), done };
  } catch (err) {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
