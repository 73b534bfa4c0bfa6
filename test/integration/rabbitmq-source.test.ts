// RabbitMQ streams as a source, against a real RabbitMQ node (scripts/rabbitmq/start.sh) and the
// test broker: the bundled fixture published to one stream per kind (Confluent-framed Avro),
// `cepheus run` reading them as the read-only user, alerts committed to Kafka. The alerts must
// be exactly replay's, each matched event pointing at the stream message it came from. With
// mixed inputs (two kinds from Kafka, two from RabbitMQ, one event time) and SIGKILLs at seeded
// points, restarts resume from the stream offsets committed in the Kafka transaction: the
// committed alerts and dead letters are still exactly replay's, none lost, none twice.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import type { Alert } from '../../src/core/alert.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { AnyEvent, EventKind } from '../../src/events/types.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { Prng } from '../../src/fixture-generator/prng.ts';
import { byId, decodeAlerts, inputEvents, lateByPartition, withoutSources } from './support/expect.ts';
import { kafka, kindTopics, produceToKindTopics, registry, uniqueTopic } from './support/kafka.ts';
import { createStreams, publishEvents, rabbitAvailable, rabbitSource } from './support/rabbitmq.ts';
import { STARTED, freePort, killAll, metricsText, readTopic, sleep, startService, writeConfig } from './support/service.ts';
import type { ReadRecord, ServiceProcess } from './support/service.ts';

afterAll(() => killAll());

const FIXTURE = 'fixtures/default.avro';

async function fixture(): Promise<AnyEvent[]> {
  const out: AnyEvent[] = [];
  for await (const e of readEventsStrict(FIXTURE)) out.push(e);
  return out;
}

/** A stream per kind, named for this run. */
function streamsFor(name: string): Record<EventKind, string> {
  const id = `cepheus-${name}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  return Object.fromEntries(EVENT_KINDS.map((k) => [k, `${id}.${k}`])) as Record<EventKind, string>;
}

/** Where each published event landed: stream offsets count from 0 per stream, in publish order. */
function coordinates(events: readonly AnyEvent[], streams: Readonly<Partial<Record<EventKind, string>>>): { topic: string; partition: number; offset: string; event: AnyEvent }[] {
  const next = new Map<string, number>();
  return events.flatMap((event) => {
    const stream = streams[event.kind];
    if (stream === undefined) return [];
    const topic = `rabbitmq-stream:${stream}`;
    const offset = next.get(topic) ?? 0;
    next.set(topic, offset + 1);
    return [{ topic, partition: 0, offset: String(offset), event }];
  });
}

const outputsOf = (group: string): { alerts: string; deadLetter: string; state: string } => ({ alerts: `${group}.alerts`, deadLetter: `${group}.dlq`, state: `${group}.state` });
const deadCoordinates = (d: ReadRecord): string => `${d.headers['cepheus.error.code']} ${d.headers['cepheus.source.topic']}/${d.headers['cepheus.source.partition']}/${d.headers['cepheus.source.offset']}`;

describe.skipIf(!rabbitAvailable())('RabbitMQ streams as a source', () => {
  it("the fixture through one stream per kind: replay's alerts exactly once, each event pointing at its stream message, late events dead-lettered", async () => {
    const events = await fixture();
    const expected = await runReplay(FIXTURE, { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const streams = streamsFor('e2e');
    await createStreams(Object.values(streams));
    await publishEvents(events, streams);
    const group = `rabbit-e2e-${randomUUID().slice(0, 8)}`;
    const output = outputsOf(group);
    const svc = startService(writeConfig({ group, topics: {}, output, port: await freePort(), extra: { topics: {}, sources: [rabbitSource(streams)] } }), 'rabbit-e2e');
    await svc.waitFor(/input idle: flushed/, 120_000);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });

    const k = kafka();
    const alerts: Alert[] = await decodeAlerts(registry(), await readTopic(k, output.alerts));
    expect(byId(alerts.map(withoutSources))).toEqual(byId(expected.alerts));
    const inputs = coordinates(events, streams);
    const at = new Map(inputs.map((x) => [`${x.topic}/${x.partition}/${x.offset}`, x.event.id]));
    const pointers = alerts.flatMap((a) => a.matched.flatMap((m) => m.events.map((e) => [e.event.id, e.source === null ? null : at.get(`${e.source.topic}/${e.source.partition}/${e.source.offset}`)])));
    expect(pointers.filter(([id, found]) => id !== found)).toEqual([]);
    expect(pointers.length).toBeGreaterThan(60);
    const dead = await readTopic(k, output.deadLetter);
    const late = lateByPartition(inputs, 5000);
    expect(late.length).toBeGreaterThan(0);
    expect(dead.map((d) => at.get(deadCoordinates(d).split(' ')[1] as string)).sort()).toEqual(late);
    expect([...new Set(dead.map((d) => d.headers['cepheus.error.code']))]).toEqual(['CEP_ERR_LATE_EVENT']);
    expect(svc.lines.some((l) => l.includes('"msg":"cepheus service started"') && l.includes('rabbitmq-stream:'))).toBe(true);
  }, 240_000);
});

/** This process's commits so far (undefined until its API answers). */
async function commits(port: number): Promise<number | undefined> {
  try {
    const m = /^cepheus_commits_total (\d+)$/m.exec(await metricsText(`http://127.0.0.1:${port}`));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

describe.skipIf(!rabbitAvailable())('RabbitMQ streams: crash recovery', () => {
  it("mixed inputs, SIGKILL three times at seeded points: the committed alerts and dead letters are exactly replay's", async () => {
    const events = await fixture();
    const expected = await runReplay(FIXTURE, { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const prefix = uniqueTopic('rabbit-crash');
    const kafkaTopics = await kindTopics(prefix, 2);
    const all = streamsFor('crash');
    const streams = { order: all.order, trade: all.trade };
    await createStreams(Object.values(streams));
    await produceToKindTopics(events.filter((e) => e.kind === 'login' || e.kind === 'transfer'), kafkaTopics);
    await publishEvents(events, streams);
    const output = outputsOf(prefix);
    const port = await freePort();
    // Small rounds and frequent checkpoints: many commits and checkpoints to land between.
    const config = writeConfig({
      group: prefix, topics: {}, output, port,
      extra: { topics: { login: kafkaTopics.login, transfer: kafkaTopics.transfer }, sources: [rabbitSource(streams, { prefetch: 300 })], roundMaxValues: 512, maxInFlight: 2, snapshotIntervalMs: 700, workers: 1 },
    });
    const rng = new Prng(0x5ab1e);
    const logs: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const after = 2 + Math.floor(rng.next() * 4);
      const svc: ServiceProcess = startService(config, `rabbit-crash-${i}`);
      logs.push(svc.lines);
      await svc.waitFor(STARTED, 60_000);
      for (;;) {
        const n = await commits(port);
        if (n !== undefined && n >= after) break;
        if (svc.lines.some((x) => /input idle: flushed/.test(x))) throw new Error(`the input was consumed before the kill after ${after} commits`);
        await sleep(10);
      }
      svc.child.kill('SIGKILL');
      expect((await svc.exited).signal).toBe('SIGKILL');
    }
    const last = startService(config, 'rabbit-crash-last');
    logs.push(last.lines);
    await last.waitFor(/input idle: flushed/, 120_000);
    last.child.kill('SIGTERM');
    expect(await last.exited).toEqual({ code: 0, signal: null });

    const k = kafka();
    const alerts: Alert[] = await decodeAlerts(registry(), await readTopic(k, output.alerts));
    expect(alerts.map((a) => a.id).sort()).toEqual(byId(expected.alerts).map((a) => a.id)); // none lost, none twice
    expect(byId(alerts.map(withoutSources))).toEqual(byId(expected.alerts));
    const inputs = [...await inputEvents(k, registry(), [kafkaTopics.login, kafkaTopics.transfer]), ...coordinates(events, streams)];
    const at = new Map(inputs.map((x) => [`${x.topic}/${x.partition}/${x.offset}`, x.event.id]));
    const dead = await readTopic(k, output.deadLetter);
    expect(dead.map((d) => at.get(deadCoordinates(d).split(' ')[1] as string)).sort()).toEqual(lateByPartition(inputs, 5000));
    const lines = logs.flat();
    expect(lines.filter((l) => l.includes('restored the checkpoint')).length).toBeGreaterThanOrEqual(2);
    expect(lines.some((l) => l.includes('recovered: caught up with the committed offsets'))).toBe(true);
  }, 400_000);
});
