// RabbitMQ streams as a source, against a real RabbitMQ node (scripts/rabbitmq/start.sh) and the
// test broker: the bundled fixture published to one stream per kind (Confluent-framed Avro),
// `cepheus run` reading them as the read-only user, alerts committed to Kafka. The alerts must
// be exactly replay's, each matched event pointing at the stream message it came from.
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import type { Alert } from '../../src/core/alert.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { AnyEvent, EventKind } from '../../src/events/types.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { byId, decodeAlerts, lateByPartition, withoutSources } from './support/expect.ts';
import { kafka, registry } from './support/kafka.ts';
import { createStreams, publishEvents, rabbitAvailable, rabbitSource } from './support/rabbitmq.ts';
import { freePort, killAll, readTopic, startService, writeConfig } from './support/service.ts';
import type { ReadRecord } from './support/service.ts';

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
function coordinates(events: readonly AnyEvent[], streams: Readonly<Record<EventKind, string>>): { topic: string; partition: number; offset: string; event: AnyEvent }[] {
  const next = new Map<string, number>();
  return events.map((event) => {
    const topic = `rabbitmq-stream:${streams[event.kind]}`;
    const offset = next.get(topic) ?? 0;
    next.set(topic, offset + 1);
    return { topic, partition: 0, offset: String(offset), event };
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
