// End to end through a real broker and registry: the bundled fixture is produced into Kafka,
// `cepheus run` runs as a child process, and the alerts topic holds exactly the alerts of
// `cepheus replay` on the same events, each matched event with the coordinates of the
// record it came from; late events go to the dead-letter topic; the REST API serves the
// alerts; SIGTERM stops the service cleanly.
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import type { Alert } from '../../src/core/alert.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { EventKind } from '../../src/events/types.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { pino } from 'pino';
import { byId, decodeAlerts, inputEvents, lateByPartition, withoutSources } from './support/expect.ts';
import { createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';
import { freePort, killAll, readTopic, startService, writeConfig } from './support/service.ts';

afterAll(() => killAll());

const FIXTURE = 'fixtures/default.avro';

async function replayed(): Promise<{ alerts: Alert[]; late: number }> {
  const r = await runReplay(FIXTURE, { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
  return { alerts: r.alerts, late: r.summary.late };
}

/** Produces the fixture into `topicOf(kind)` topics, runs the service until idle, stops it. */
async function runThrough(topicOf: (k: EventKind) => string, partitions: number): Promise<{
  alerts: Alert[]; dead: Awaited<ReturnType<typeof readTopic>>; inputs: Awaited<ReturnType<typeof inputEvents>>; api: { list: unknown; rules: unknown; ready: number }; exit: unknown;
}> {
  const k = kafka();
  const reg = registry();
  const group = uniqueTopic('e2e');
  const topics = [...new Set(EVENT_KINDS.map(topicOf))];
  const output = { alerts: `${group}.alerts`, deadLetter: `${group}.dlq`, state: `${group}.state` };
  const admin = k.admin();
  await admin.connect();
  await createTopics(admin, topics, partitions);
  await admin.disconnect();
  await produceEvents(readEventsStrict(FIXTURE), {
    kafka: k, resolver: new SchemaResolver(reg, pino({ level: 'silent' })),
    topics: topics.map((topic) => ({ topic, kinds: EVENT_KINDS.filter((kind) => topicOf(kind) === topic), format: 'confluent' as const, schemaId: 0 })),
  });
  const port = await freePort();
  const svc = startService(writeConfig({ group, topics: Object.fromEntries(EVENT_KINDS.map((kind) => [kind, topicOf(kind)])), output, port }));
  await svc.waitFor(/"msg":"REST API listening"/);
  await svc.waitFor(/input idle: flushed/, 90_000);
  await readTopic(k, output.alerts, { atLeast: 30, ms: 30_000 });
  const auth = { authorization: 'Bearer test-read-token' };
  const base = `http://127.0.0.1:${port}`;
  await new Promise((r) => setTimeout(r, 2500)); // the store feed and the rule counters catch up
  const list = await (await fetch(`${base}/api/v1/alerts?limit=500`, { headers: auth })).json();
  const rules = await (await fetch(`${base}/api/v1/rules`, { headers: auth })).json();
  const ready = (await fetch(`${base}/readyz`)).status;
  svc.child.kill('SIGTERM');
  const exit = await svc.exited;
  const alerts = await decodeAlerts(reg, await readTopic(k, output.alerts));
  return { alerts, dead: await readTopic(k, output.deadLetter), inputs: await inputEvents(k, reg, topics), api: { list, rules, ready }, exit };
}

describe.skipIf(!kafkaAvailable())('the service end to end', () => {
  it('one topic per kind, 3 partitions each: replay\'s alerts exactly once, late events dead-lettered, API up, clean stop', async () => {
    const expected = await replayed();
    const topicOf = (kind: EventKind): string => `${uniqueTopic('e2e-in')}.${kind}`;
    const names = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, topicOf(kind)])) as Record<EventKind, string>;
    const run = await runThrough((kind) => names[kind], 3);

    expect(run.exit).toEqual({ code: 0, signal: null });
    expect(byId(run.alerts.map(withoutSources))).toEqual(byId(expected.alerts));
    // Every matched event points at the record it was read from.
    const at = new Map(run.inputs.map((x) => [`${x.topic}/${x.partition}/${x.offset}`, x.event.id]));
    const pointers = run.alerts.flatMap((a) => a.matched.flatMap((m) => m.events.map((e) => [e.event.id, e.source === null ? null : at.get(`${e.source.topic}/${e.source.partition}/${e.source.offset}`)])));
    expect(pointers.filter(([id, found]) => id !== found)).toEqual([]);
    expect(pointers.length).toBeGreaterThan(60);
    // Late for its partition, and nothing else, is dead-lettered, with where it came from.
    const late = lateByPartition(run.inputs, 5000);
    expect(late.length).toBeGreaterThan(0);
    const deadIds = run.dead.map((d) => at.get(`${d.headers['cepheus.source.topic']}/${d.headers['cepheus.source.partition']}/${d.headers['cepheus.source.offset']}`)).sort();
    expect({ codes: [...new Set(run.dead.map((d) => d.headers['cepheus.error.code']))], ids: deadIds }).toEqual({ codes: ['CEP_ERR_LATE_EVENT'], ids: late });
    // The store behind the API was fed from the alerts topic.
    expect(run.api.ready).toBe(200);
    const listed = (run.api.list as { items: { id: string }[] }).items.map((a) => a.id).sort();
    expect(listed).toEqual(byId(expected.alerts).map((a) => a.id));
    const rules = (run.api.rules as { items: { id: string; alerts: number }[] }).items;
    expect([rules.length, rules.reduce((n, r) => n + r.alerts, 0)]).toEqual([10, expected.alerts.length]);
  }, 240_000);

  it('every kind in one single-partition topic: the stream replay reads, so even the late events agree', async () => {
    const expected = await replayed();
    const topic = uniqueTopic('e2e-all');
    const run = await runThrough(() => topic, 1);
    expect(run.exit).toEqual({ code: 0, signal: null });
    expect(byId(run.alerts.map(withoutSources))).toEqual(byId(expected.alerts));
    expect([run.dead.length, lateByPartition(run.inputs, 5000).length]).toEqual([expected.late, expected.late]);
  }, 240_000);
});
