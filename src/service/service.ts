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
import { KafkaAdmin, tpKey } from '../kafka/admin.ts';
import { kafkaClient, tlsOf } from '../kafka/client.ts';
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
import { AuditLog } from '../store/audit-log.ts';
import { WorkerShards, defaultShards } from '../workers/shard-pool.ts';
import { inputsOf } from '../config/inputs.ts';
import { shardHeapMb } from '../config/heap-limits.ts';
import { scrubber, secretsOf } from '../config/secrets.ts';
import { CepError } from '../core/errors.ts';
import { refusedGrants } from '../kafka/access.ts';
import type { Grant } from '../kafka/access.ts';
import { retry } from '../kafka/retry.ts';
import { AccessGuard } from './access-guard.ts';
import { controlTopicOf, shadowTopicOf } from '../config/config.ts';
import { bundleFromSpecs } from '../rules/bundle.ts';
import { DRY_RUN_FIXTURE, checkBundleOffThread } from '../rules/check-bundle.ts';
import { RuleLog } from './rule-log.ts';
import { serviceRuleChanges } from './rule-changes.ts';
import { readCheckpoint } from './checkpoint.ts';
import { signalsOf } from './counters.ts';
import { Pipeline } from './pipeline.ts';
import { serviceStateQuery } from './state-query.ts';
import { serviceStreamControl } from './stream-control.ts';
import { kafkaInputsOf, wireStreams } from './stream-inputs.ts';
import { ALERTS_TOPIC_BYTES, HEADER_ROOM, TopicLimits, checkTopicLimits, createdTopicBytes } from './topic-limits.ts';

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
  // No secret reaches the log: every line is scrubbed of the config's passwords and tokens.
  const log = o.log ?? pino({ level: config.log.level, base: { service: 'cepheus', instance }, hooks: { streamWrite: scrubber(secretsOf(config)) } });
  const startedAt = Date.now();
  const inputs = inputsOf(config);
  const loaded = await loadRules(config.rules.modules);
  const rules = loaded.map((l) => ({ id: l.rule.id, version: l.rule.version }));
  const shards = config.workers ?? defaultShards();
  const shardHeap = shardHeapMb(config.engine, shards, config.engine.heapLimitMb);
  // Connection errors of any client are evidence that the broker is unreachable (/readyz).
  let connectionError: (message: string) => void = () => undefined;
  await checkBrokers(config.kafka.brokers, 3000, tlsOf(config.kafka));
  const kafka = kafkaClient(config.kafka, log, config.kafka.clientId, (m) => connectionError(m));
  const transactionalId = `cepheus-${config.kafka.groupId}`;
  // Each Kafka step with the ACLs it relies on: a refusal stops the start with a coded error naming them.
  const guard = new AccessGuard(config, kafkaInputsOf(inputs), transactionalId);
  const grants = (op: Grant['operation'], topics: readonly string[]): Grant[] => guard.of((g) => g.type === 'topic' && g.operation === op && topics.includes(g.name));
  const groupGrants = (name: string, pattern: Grant['pattern']): Grant[] => guard.of((g) => g.type === 'group' && g.name === name && g.pattern === pattern);
  const admin = new KafkaAdmin(kafka);
  await guard.step('connect', [], () => admin.connect());
  const cleanup: (() => Promise<void>)[] = [() => admin.disconnect()];
  try {
    const inputTopics = kafkaInputsOf(inputs).map((t) => t.topic);
    await guard.step('read its input topics', grants('Read', inputTopics), () => admin.partitionsOf(inputTopics), (g) => admin.probeTopic(g.name));
    const out = config.output;
    const inputLimits = await guard.step("describe its input topics' configs", grants('DescribeConfigs', inputTopics), () => admin.maxMessageBytes(inputTopics), (g) => admin.maxMessageBytes([g.name]));
    const sizes = createdTopicBytes(out, inputLimits.values());
    // The control topic holds whole bundles (their sources JSON-escaped): twice the bundle limit, at least the state topic's.
    const controlTopic = controlTopicOf(config);
    sizes.set(controlTopic, Math.max(sizes.get(out.state) ?? 0, 2 * config.rules.maxBundleBytes + 65_536));
    // Shadow alerts (shadow mode) are alerts: created like the alerts topic, only when output topics are created.
    const shadowTopic = shadowTopicOf(config);
    if (out.createTopics) sizes.set(shadowTopic, Math.max(sizes.get(shadowTopic) ?? 0, ALERTS_TOPIC_BYTES));
    const sized = (topic: string): Record<string, string> => ({ 'max.message.bytes': String(sizes.get(topic)) });
    // A topic the principal may not describe looks missing and would be created: a refusal names
    // the output topic the principal cannot see (each probed).
    const visible = [...grants('Read', [out.state, controlTopic]), ...grants('Write', [out.state, controlTopic]), ...(out.createTopics ? grants('Write', [out.alerts, shadowTopic, out.deadLetter, out.late ?? out.deadLetter]) : [])];
    const compacted = { 'cleanup.policy': 'compact', 'segment.ms': '600000', 'min.cleanable.dirty.ratio': '0.1' };
    const created = await guard.step('see its output and state topics (created beforehand: it has no Create permission)', visible, () => admin.ensureTopics([
      { topic: out.state, partitions: 1, replicationFactor: out.replicationFactor, config: { ...compacted, ...sized(out.state) } },
      { topic: controlTopic, partitions: 1, replicationFactor: out.replicationFactor, config: { ...compacted, ...sized(controlTopic) } },
      ...(out.createTopics ? [out.alerts, shadowTopic, out.deadLetter, out.late ?? out.deadLetter].map((topic) => ({ topic, partitions: out.partitions, replicationFactor: out.replicationFactor, config: sized(topic) })) : []),
    ]), (g) => admin.probeTopic(g.name));
    if (created.length > 0) log.info({ topics: created, maxMessageBytes: Object.fromEntries(created.map((t) => [t, sizes.get(t)])) }, 'created missing topics');
    const outputTopics = [...sizes.keys()];
    const outputLimits = await guard.step("describe its output topics' configs", grants('DescribeConfigs', outputTopics), () => admin.maxMessageBytes(outputTopics), (g) => admin.maxMessageBytes([g.name]));
    const limits = new TopicLimits(outputLimits, () => admin.maxMessageBytes(outputTopics));
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

    const sink = new KafkaTransactionalSink(kafka, transactionalId);
    cleanup.push(() => sink.disconnect());
    // The transactional id is first used by the first commit, not here: initialising it would
    // fence the active instance's producer when this one starts as a standby.
    await guard.step('start its idempotent producer', guard.of((g) => g.type === 'topic' && g.operation === 'Write'), () => sink.connect());
    // A fresh broker's group coordinator may still be loading: that is retried, a refusal is not.
    const groupStep = groupGrants(config.kafka.groupId, 'literal');
    await guard.step("read its group's committed offsets", groupStep, () => retry(() => admin.committed(config.kafka.groupId, inputTopics), {
      attempts: 10, baseMs: 200, maxMs: 2000, retryable: (err) => refusedGrants(err, groupStep) === undefined,
    }));
    // Until the service is up, a fatal error (a consumer refused at once) waits for the handler.
    let early: Error | undefined;
    let fatal: (err: Error) => void = (err) => {
      early ??= err;
    };
    // A refused commit, checkpoint read or consumer stops the service with the permission it lacks.
    const guarded = <T>(doing: string, step: readonly Grant[], f: () => Promise<T>): Promise<T> => f().catch((err: unknown) => {
      const denied = guard.explain(err, doing, step);
      if (denied !== undefined) fatal(denied);
      throw err;
    });
    // The rule set is the control log's; the rules given at start are its first bundle when it is
    // empty (the only write at start: once the log has changes, a standby starting writes nothing).
    const ruleLog = new RuleLog({
      kafka, topic: controlTopic, group: config.kafka.groupId, cacheDir: config.rules.cacheDir, sink, log, now: Date.now,
      endOffset: async () => (await admin.highWatermarks([{ topic: controlTopic, partition: 0 }])).get(tpKey(controlTopic, 0)) ?? 0n,
    });
    const controlGrants = [...grants('Read', [controlTopic]), ...groupGrants(`${config.kafka.groupId}.state.`, 'prefixed')];
    await guard.step('read the rule set from the control topic', controlGrants, () => ruleLog.read());
    await guard.step('write the rules given at start to the empty control topic', guard.of((g) => g.type === 'transactional-id' || (g.type === 'topic' && g.operation === 'Write' && g.name === controlTopic)),
      () => ruleLog.ensureInitial({ ...bundleFromSpecs(config.rules.modules), rules }));
    const latency = new LatencyRecorder();
    const commitSink = {
      commit: (...a: Parameters<KafkaTransactionalSink['commit']>) => sink.commit(...a).catch(async (err: unknown) => {
        const denied = await guard.explainCommit(err, (topic) => sink.mayWrite(topic));
        if (denied !== undefined) fatal(denied);
        throw err;
      }),
    };
    // RabbitMQ streams of `sources:` join the Kafka input (stream-inputs.ts).
    const inputSide = wireStreams({ config, kafka, admin, sink: commitSink, log, kafkaSource: () => new KafkaSource(kafka, {
      groupId: config.kafka.groupId, topics: inputTopics, sessionTimeoutMs: config.kafka.sessionTimeoutMs,
      fromBeginning: config.startFrom === 'earliest', startedAt, instance, log,
    }) });
    const source = inputSide.source;
    // A RabbitMQ node that refuses stops the start here, before the API is up.
    cleanup.push(() => inputSide.close());
    await inputSide.prepare();
    const pipeline = new Pipeline({
      config, inputs, log, source, sink: inputSide.sink, admin: inputSide.admin, resolver, rules, latency,
      encodeAlert: wire.encode,
      readCheckpoint: () => guarded('read its checkpoints', [...grants('Read', [out.state]), ...groupGrants(`${config.kafka.groupId}.state.`, 'prefixed')],
        () => readCheckpoint(kafka, out.state, config.kafka.groupId, log)),
      backend: () => new WorkerShards(shards, shardHeap),
      onFatal: (err) => fatal(err),
      limits, ruleLog,
    });
    connectionError = (m) => pipeline.brokerError(m);

    let store: AlertStore | undefined;
    let audit: AuditLog | undefined;
    let feed: AlertFeed | undefined;
    let api: FastifyInstance | undefined;
    const bus = new AlertBus();
    if (config.api.enabled) {
      mkdirSync(dirname(config.store.path), { recursive: true });
      const st = new AlertStore(config.store.path);
      store = st;
      audit = new AuditLog(config.store.path);
      const ruleChanges = serviceRuleChanges({
        pipeline, ruleLog, maxBundleBytes: config.rules.maxBundleBytes, audit, log, now: Date.now, approvals: config.rules.approvals, proposalTtlMs: config.rules.proposalTtlMs,
        store: st, shadowRules: () => pipeline.shadowRules(),
        check: (b) => checkBundleOffThread(b, { maxBundleBytes: config.rules.maxBundleBytes, cacheDir: config.rules.cacheDir, fixture: DRY_RUN_FIXTURE }),
      });
      if (config.store.retentionDays !== undefined) st.prune(Date.now() - config.store.retentionDays * 86_400_000, undefined);
      const feedKafka = kafkaClient(config.kafka, log, `${config.kafka.clientId}-store`, (m) => connectionError(m));
      const feedGrants = [...grants('Read', [out.alerts]), ...groupGrants(`${config.kafka.groupId}.store.`, 'prefixed')];
      feed = await guard.step('feed the alert store from the alerts topic', feedGrants, () => startAlertFeed({
        kafka: feedKafka, wire, topic: out.alerts, groupId: `${config.kafka.groupId}.store.${instance}`, store: st, bus,
        onError: (err, offset) => log.warn({ offset, err }, 'alerts topic record not readable; skipped by the store'),
        onCrash: (err) => fatal(guard.explain(err, 'feed the alert store from the alerts topic', feedGrants) ?? err),
        onRestart: (err) => log.warn({ err }, 'the alert store consumer stopped on a broker it could not reach; starting it again'),
      }));
      // Shadow alerts (shadow mode) into the store's shadow table, from their topic, as the alerts
      // are (a topic not created by the service and missing: no shadow table feed, said once).
      const shadowFeed = !created.includes(shadowTopic) && !out.createTopics && !(await admin.partitionsOf([shadowTopic]).then(() => true, () => false))
        ? (log.warn({ topic: shadowTopic }, 'the shadow alerts topic is missing (output.createTopics is false): shadow mode needs it; create it, then restart'), undefined)
        : await guard.step('feed the alert store from the shadow alerts topic', feedGrants, () => startAlertFeed({
        kafka: feedKafka, wire, topic: shadowTopic, groupId: `${config.kafka.groupId}.store.${instance}.shadow`, store: { insert: (a, at) => st.insertShadow(a, at) },
        onError: (err, offset) => log.warn({ offset, err }, 'shadow alerts topic record not readable; skipped by the store'),
        onCrash: (err) => fatal(err),
        onRestart: (err) => log.warn({ err }, 'the shadow alert store consumer stopped on a broker it could not reach; starting it again'),
      }));
      if (shadowFeed !== undefined) cleanup.push(() => shadowFeed.stop());
      const s = store;
      const f = feed;
      api = await buildApi({
        store: s, bus, latency, tokens: config.api.tokens, ruleModules: loaded, engineOptions: config.engine, mcp: config.api.mcp, instance,
        rules: { list: () => pipeline.rules(), shadows: () => pipeline.shadowRules(), setEnabled: (id, on, actor) => ruleChanges.setEnabled(id, on, actor ?? 'unknown') },
        bundles: { control: ruleChanges, maxBundleBytes: config.rules.maxBundleBytes },
        state: serviceStateQuery(pipeline, loaded, config.engine),
        streams: serviceStreamControl(pipeline, config.engine.outOfOrdernessMs, log), audit,
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

    const consumeGrants = [...grants('Read', inputTopics), ...groupGrants(config.kafka.groupId, 'literal')];
    await guard.step('consume its input topics in its group', consumeGrants, () => source.start(pipeline.handlers()));
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
          audit?.close();
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
    fatal = (e) => {
      const err = guard.explain(e, 'consume its input topics in its group', consumeGrants) ?? e;
      log.fatal({ err, code: err instanceof CepError ? err.code : undefined }, 'fatal: stopping');
      void stop(1);
    };
    if (early !== undefined) fatal(early);
    return { pipeline, api, stop: () => stop(0), done };
  } catch (err) {
    for (const c of cleanup.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
