// A broker outage, on a broker of this test's own (the shared one is never stopped): the
// service reads a first batch of events and goes idle; the broker stops; /readyz answers 503
// "broker unreachable: ..." within a bounded time (with cepheus_broker_unreachable 1 and a
// CEP_ERR_KAFKA_UNREACHABLE log line) and the process keeps running; the broker comes back;
// /readyz is 200 again and a second batch of events, produced after the outage, raises its
// alerts: the alerts topic holds exactly replay's alerts of both batches, once each.
import { pino } from 'pino';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alert.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { replay } from '../../src/replay/replay.ts';
import { loadRules } from '../../src/rules/load-rules.ts';
import { IN_CI } from './support/env.ts';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { kafkaAvailable, registry } from './support/kafka.ts';
import { ownBroker, ownBrokerMissing, stopAll } from './support/own-broker.ts';
import { freePort, killAll, readTopic, sleep, startService, writeConfig, metricsText } from './support/service.ts';
import type { ServiceProcess } from './support/service.ts';

afterAll(() => {
  killAll();
  stopAll();
});

const missing = ownBrokerMissing();
if (missing !== null && !IN_CI) console.warn(`integration: ${missing}; skipping the broker outage test`);

/**
 * Polls `f` every 500 ms until it returns something, for at most `ms`; on a timeout the error
 * says what the last poll saw and how the service is (exit code, its last log lines).
 */
async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>, svc?: ServiceProcess): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await f().catch((err: unknown) => {
      last = err;
      return undefined;
    });
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      const state = svc === undefined ? '' : `; service exit code ${String(svc.child.exitCode)}, last lines:\n${svc.lines.filter((l) => !/Connection error|Failed to connect/.test(l)).slice(-20).join('\n')}`;
      throw new Error(`${what}: not within ${ms} ms (last poll: ${last === undefined ? 'no answer yet' : String(last)})${state}`);
    }
    await sleep(500);
  }
}

describe.skipIf(!kafkaAvailable() || (missing !== null && !IN_CI))('a broker outage', () => {
  it('/readyz says the broker is unreachable, the service waits it out, and alerts continue after it', async () => {
    const broker = await ownBroker();
    await broker.start();
    const k = new Kafka({ clientId: 'outage-test', brokers: [broker.address], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
    // Every kind in one single-partition topic: the stream replay reads. (Across partitions,
    // the first to get the second batch would move event time on while the others are still
    // idle, and some of their events would be late: the idle rule, not the outage.)
    const topic = 'outage.events';
    const topics = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, topic]));
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    await admin.disconnect();
    // Two batches 15 days apart, neither with events beyond the out-of-orderness bound: the
    // second cannot be late, whatever the idle flush after the first released.
    const before: AnyEvent[] = [...generate({ seed: 31, events: 8000, accounts: 150, days: 10, start: '2026-01-05T00:00:00Z', late: 0, positives: 1 }).events];
    const after: AnyEvent[] = [...generate({ seed: 32, events: 8000, accounts: 150, days: 10, start: '2026-01-20T00:00:00Z', late: 0, positives: 1 }).events];
    const expected: Alert[] = [];
    await replay([...before, ...after].map((event) => ({ event })), { rules: (await loadRules()).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 }, onAlert: (a) => expected.push(a) });
    const produce = (events: readonly AnyEvent[]): Promise<unknown> => produceEvents(events, {
      kafka: k, resolver: new SchemaResolver(registry(), pino({ level: 'silent' })),
      topics: [{ topic, kinds: EVENT_KINDS, format: 'confluent' as const, schemaId: 0 }],
    });
    await produce(before);

    const port = await freePort();
    const output = { alerts: 'outage.alerts', deadLetter: 'outage.dlq', state: 'outage.state' };
    const svc = startService(writeConfig({ group: 'outage', topics, output, port, extra: { kafka: { brokers: [broker.address], groupId: 'outage', clientId: 'outage', sessionTimeoutMs: 3000 } } }), 'outage');
    await svc.waitFor(/input idle: flushed/, 90_000);
    const base = `http://127.0.0.1:${port}`;
    const readyz = async (): Promise<{ status: number; body: { ready: boolean; reasons: string[] } }> => {
      const r = await fetch(`${base}/readyz`);
      return { status: r.status, body: (await r.json()) as { ready: boolean; reasons: string[] } };
    };
    const unreachable = async (): Promise<string | undefined> =>
      (await metricsText(base)).match(/^cepheus_broker_unreachable .*$/m)?.[0];
    expect([await readyz(), await unreachable()]).toEqual([{ status: 200, body: { ready: true, reasons: [] } }, 'cepheus_broker_unreachable 0']);

    await broker.stop();
    const down = await until('/readyz 503 while the broker is down', 30_000, async () => {
      const r = await readyz();
      if (r.status === 503) return r;
      throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    }, svc);
    expect([down, await unreachable()]).toEqual([
      { status: 503, body: { ready: false, reasons: [expect.stringMatching(/^broker unreachable: nothing fetched or committed for \d+ s; last error \d+ s ago: .*ECONNREFUSED/)] } },
      'cepheus_broker_unreachable 1',
    ]);
    await svc.waitFor(/"code":"CEP_ERR_KAFKA_UNREACHABLE"/, 5000);
    await sleep(5000); // the outage goes on; the service waits it out
    expect([svc.child.exitCode, (await readyz()).status]).toEqual([null, 503]);

    await broker.start();
    await until('/readyz 200 after the broker came back', 120_000, async () => {
      const r = await readyz();
      if (r.status === 200) return true;
      throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    }, svc);
    await svc.waitFor(/"msg":"broker reachable again"/, 5000);
    await produce(after);
    const k2 = new Kafka({ clientId: 'outage-reader', brokers: [broker.address], logLevel: logLevel.NOTHING });
    await readTopic(k2, output.alerts, { atLeast: expected.length, ms: 90_000 });
    expect([await readyz(), await unreachable()]).toEqual([{ status: 200, body: { ready: true, reasons: [] } }, 'cepheus_broker_unreachable 0']);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });

    const got = byId(await decodeAlerts(registry(), await readTopic(k2, output.alerts)));
    const second = Date.parse('2026-01-20T00:00:00Z');
    expect({
      alerts: got.map(withoutSources),
      afterTheOutage: got.filter((a) => a.firstEventTime >= second).length,
      dead: (await readTopic(k2, output.deadLetter)).map((d) => d.headers),
    }).toEqual({ alerts: byId(expected), afterTheOutage: 9, dead: [] });
    expect(expected.filter((a) => a.firstEventTime >= second).length).toBe(9); // replay agrees: 9 of them come from the second batch
    await broker.stop();
  }, 300_000);
});
