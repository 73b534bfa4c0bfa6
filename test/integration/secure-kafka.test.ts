// The service against a secured broker (scripts/kafka/start-secure.sh: SASL_SSL listener,
// SCRAM-SHA-512, a throwaway CA, StandardAuthorizer with no default allow), logged in as a
// principal that holds exactly the ACLs `cepheus acls` prints:
//   - end to end, the alerts topic holds replay's alerts, and no password shows in the log or
//     /metrics;
//   - without one of those ACLs it stops with CEP_ERR_KAFKA_AUTHORIZATION naming it;
//   - a wrong password and an untrusted certificate fail at once with their own codes.
import { Partitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { runReplay } from '../../src/cli/replay.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { EventKind } from '../../src/events/types.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { serviceGrants } from '../../src/kafka/access.ts';
import type { Grant } from '../../src/kafka/access.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { SECURE_BROKERS } from './support/env.ts';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { registry, uniqueTopic } from './support/kafka.ts';
import { CA_FILE, passwordFile, passwordOf, secureKafka, secureKafkaAvailable, setAcls } from './support/secure-kafka.ts';
import { freePort, killAll, readTopic, startService, writeConfig } from './support/service.ts';

afterAll(() => killAll());

const FIXTURE = 'fixtures/default.avro';
const PRINCIPAL = 'User:cepheus';
const prefix = uniqueTopic('sec');
const inputs = Object.fromEntries(EVENT_KINDS.map((k) => [k, `${prefix}.in.${k}`])) as Record<EventKind, string>;

interface Setup {
  readonly group: string;
  readonly output: { readonly alerts: string; readonly deadLetter: string; readonly state: string };
  readonly grants: readonly Grant[];
}

/** A group of its own: output topics created by the super user, the service's ACLs granted. */
async function setUp(name: string): Promise<Setup> {
  const group = `${prefix}.${name}`;
  const output = { alerts: `${group}.alerts`, deadLetter: `${group}.dlq`, state: `${group}.state` };
  const admin = secureKafka('admin').admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true, topics: [
        { topic: output.alerts, numPartitions: 2 }, { topic: `${output.alerts}.shadow`, numPartitions: 2 }, { topic: output.deadLetter, numPartitions: 2 },
        { topic: output.state, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        { topic: `${output.state}.rules`, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'max.message.bytes', value: '2162688' }] },
      ],
    });
  } finally {
    await admin.disconnect();
  }
  const grants = serviceGrants({
    group, inputs: Object.values(inputs), alerts: output.alerts, shadow: `${output.alerts}.shadow`, deadLetter: output.deadLetter, late: output.deadLetter, state: output.state, control: `${output.state}.rules`, transactionalId: `cepheus-${group}`,
  });
  await setAcls(grants, PRINCIPAL, true);
  return { group, output, grants };
}

const secured = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  brokers: SECURE_BROKERS, ssl: { ca: CA_FILE }, sasl: { mechanism: 'scram-sha-512', username: 'cepheus', passwordFile: passwordFile('cepheus') }, ...over,
});

async function notACheckpoint(topic: string): Promise<void> {
  const producer = secureKafka('admin').producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key: 'not-a-checkpoint', value: 'x' }] });
  } finally {
    await producer.disconnect();
  }
}

async function config(s: Setup, kafka: Record<string, unknown> = secured()): Promise<{ file: string; port: number }> {
  const port = await freePort();
  return { file: writeConfig({ group: s.group, topics: inputs, output: s.output, port, kafka }), port };
}

describe.skipIf(!secureKafkaAvailable())('the service on a SASL_SSL broker with ACLs', () => {
  beforeAll(async () => {
    const admin = secureKafka('admin').admin();
    await admin.connect();
    try {
      await admin.createTopics({ waitForLeaders: true, topics: Object.values(inputs).map((topic) => ({ topic, numPartitions: 2 })) });
    } finally {
      await admin.disconnect();
    }
    await produceEvents(readEventsStrict(FIXTURE), {
      kafka: secureKafka('admin'), resolver: new SchemaResolver(registry(), pino({ level: 'silent' })),
      topics: EVENT_KINDS.map((kind) => ({ topic: inputs[kind], kinds: [kind], format: 'confluent' as const, schemaId: 0 })),
    });
  });

  it('end to end with only its ACLs: replay\'s alerts, exactly once; no password in the log or /metrics', async () => {
    const s = await setUp('e2e');
    const expected = await runReplay(FIXTURE, { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const c = await config(s);
    const svc = startService(c.file, 'secure-e2e');
    await svc.waitFor(/"msg":"REST API listening"/);
    await svc.waitFor(/input idle: flushed/, 120_000);
    await readTopic(secureKafka('admin'), s.output.alerts, { atLeast: expected.alerts.length, ms: 30_000 });
    const metrics = await (await fetch(`http://127.0.0.1:${c.port}/metrics`, { headers: { authorization: 'Bearer test-read-token' } })).text();
    svc.child.kill('SIGTERM');
    const exit = await svc.exited;

    const alerts = await decodeAlerts(registry(), await readTopic(secureKafka('admin'), s.output.alerts));
    expect(exit).toEqual({ code: 0, signal: null });
    expect(byId(alerts.map(withoutSources))).toEqual(byId(expected.alerts));
    const secrets = [passwordOf('cepheus'), passwordOf('admin')];
    expect(metrics).toMatch(/^cepheus_/m);
    expect(secrets.filter((p) => metrics.includes(p) || svc.lines.some((l) => l.includes(p)))).toEqual([]);
  }, 240_000);

  // Each refused at start (a missing ACL found by its own request), or at the first commit.
  const cases: { readonly name: string; readonly pick: (s: Setup) => Grant; readonly says: (s: Setup) => string; readonly before?: (s: Setup) => Promise<void> }[] = [
    { name: 'read an input topic', pick: () => grant('Read', 'topic', inputs.trade), says: () => `Read on topic ${inputs.trade}` },
    { name: "describe an input topic's configs", pick: () => grant('DescribeConfigs', 'topic', inputs.login), says: () => `DescribeConfigs on topic ${inputs.login}` },
    { name: 'use its group', pick: (s) => grant('Read', 'group', s.group), says: (s) => `Read on group ${s.group}` },
    { name: 'use its transactional id (found at the first commit)', pick: (s) => grant('Write', 'transactional-id', `cepheus-${s.group}`), says: (s) => `Write on transactional id cepheus-${s.group}` },
    { name: "describe an output topic's configs", pick: (s) => grant('DescribeConfigs', 'topic', s.output.deadLetter), says: (s) => `DescribeConfigs on topic ${s.output.deadLetter}` },
    // An empty state topic is read without a fetch: give it a record (not a checkpoint) first.
    { name: 'read its checkpoints', pick: (s) => grant('Read', 'topic', s.output.state), says: (s) => `Read on topic ${s.output.state}`, before: (s) => notACheckpoint(s.output.state) },
    { name: "use the alert store's groups", pick: (s) => grant('Read', 'group', `${s.group}.store.`), says: (s) => `Read on groups starting with ${s.group}.store.` },
    { name: 'read the alerts topic (the alert store)', pick: (s) => grant('Read', 'topic', s.output.alerts), says: (s) => `Read on topic ${s.output.alerts}` },
    { name: 'use the groups that read checkpoints', pick: (s) => grant('Read', 'group', `${s.group}.state.`), says: (s) => `Read on groups starting with ${s.group}.state.`, before: (s) => notACheckpoint(s.output.state) },
    { name: 'write checkpoints (found at the first commit)', pick: (s) => grant('Write', 'topic', s.output.state), says: (s) => `Write on topic ${s.output.state}` },
    { name: 'write dead letters (without it the topic looks missing)', pick: (s) => grant('Write', 'topic', s.output.deadLetter), says: (s) => `Write on topic ${s.output.deadLetter}` },
    { name: 'write alerts (found at the first commit)', pick: (s) => grant('Write', 'topic', s.output.alerts), says: (s) => `Write on topic ${s.output.alerts}` },
  ];
  let current: Setup | undefined;
  const grant = (operation: Grant['operation'], type: Grant['type'], name: string): Grant => {
    const g = current?.grants.find((x) => x.operation === operation && x.type === type && x.name === name);
    if (g === undefined) throw new Error(`no grant ${operation} ${type} ${name}`);
    return g;
  };

  for (const [i, t] of cases.entries()) {
    it(`without the ACL to ${t.name}: stops with CEP_ERR_KAFKA_AUTHORIZATION naming it`, async () => {
      const s = await setUp(`deny${i}`);
      current = s;
      const missing = t.pick(s);
      await t.before?.(s);
      await setAcls([missing], PRINCIPAL, false);
      try {
        const svc = startService((await config(s)).file, `secure-deny-${i}`, ['--no-type-check']);
        const exit = await svc.exited;
        const refusal = svc.lines.find((l) => l.includes('CEP_ERR_KAFKA_AUTHORIZATION'));
        expect({ code: exit.code, refused: refusal !== undefined }).toEqual({ code: 1, refused: true });
        expect(refusal).toContain(`principal ${PRINCIPAL} may not`);
        expect(refusal).toContain(`it needs ${t.says(s)} (`);
        expect(svc.lines.join('\n')).toContain(`--allow-principal ${PRINCIPAL} --operation ${missing.operation}`);
      } finally {
        await setAcls([missing], PRINCIPAL, true);
      }
    }, 120_000);
  }

  it('a wrong password fails fast with CEP_ERR_KAFKA_AUTHENTICATION, and the password is not printed', async () => {
    const s = await setUp('badpw');
    const wrong = 'not-the-password-4711';
    const svc = startService((await config(s, secured({ sasl: { mechanism: 'scram-sha-512', username: 'cepheus', password: wrong } }))).file, 'secure-badpw', ['--no-type-check']);
    const exit = await svc.exited;
    expect(exit.code).toBe(1);
    expect(svc.lines.filter((l) => l.startsWith('CEP_ERR_'))).toEqual([expect.stringMatching(/^CEP_ERR_KAFKA_AUTHENTICATION: the brokers refused the SASL login of user cepheus \(scram-sha-512\)/)]);
    expect(svc.lines.filter((l) => l.includes(wrong))).toEqual([]);
  }, 60_000);

  it('an untrusted broker certificate fails fast with CEP_ERR_KAFKA_TLS', async () => {
    const s = await setUp('noca');
    const svc = startService((await config(s, secured({ ssl: true }))).file, 'secure-noca', ['--no-type-check']);
    const exit = await svc.exited;
    expect(exit.code).toBe(1);
    expect(svc.lines.filter((l) => l.startsWith('CEP_ERR_'))).toEqual([`CEP_ERR_KAFKA_TLS: the TLS handshake with the brokers at ${SECURE_BROKERS.join(', ')} failed`]);
    expect(svc.lines.join('\n')).toContain(`${SECURE_BROKERS[0]}: SELF_SIGNED_CERT_IN_CHAIN`);
  }, 60_000);
});
