// The event from the far future that stopped time for everyone: good events, then one login
// dated 2099 in a record with a normal CreateTime (produced now), then 6 000 good events, one
// topic per kind. Before, its partition's watermark jumped to 2099, the idle flush took the
// global one there, every later event was late and nothing alerted. Now it is quarantined at
// its home shard: dead-lettered as CEP_ERR_FUTURE_EVENT with its original bytes, counted in
// /metrics, logged once; no watermark reaches it; the good events raise exactly the alerts
// `cepheus replay` gives for them (the whole list), only the events late for their own
// partition are dead-lettered as late, and /readyz stays 200.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { AnyEvent, EventKind } from '../../src/events/types.ts';
import { encodeConfluentValue } from '../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { writeEvents } from '../../src/io/write-events.ts';
import { futureMessage } from '../../src/workers/shard-handler.ts';
import { byId, decodeAlerts, inputEvents, lateByPartition, withoutSources } from './support/expect.ts';
import { kafka, kafkaAvailable, kindTopics, produceToKindTopics, registry, uniqueTopic } from './support/kafka.ts';
import { freePort, killAll, readTopic, sleep, startService, writeConfig, metricsText } from './support/service.ts';

afterAll(() => killAll());

const Y2099 = Date.UTC(2099, 0, 1);

describe.skipIf(!kafkaAvailable())('an event dated 2099', () => {
  it('is quarantined; the good events after it raise replay\'s alerts, the whole list, and /readyz stays 200', async () => {
    const all: AnyEvent[] = [];
    for await (const e of readEventsStrict('fixtures/default.avro')) all.push(e);
    const good = all.slice(0, 9000);
    const firstLogin = good.find((e) => e.kind === 'login') as AnyEvent;
    const runaway = { ...firstLogin, id: 'ev-runaway-2099', account: 'AC-RUNAWAY', ts: Y2099 } as AnyEvent;
    const file = join(mkdtempSync(join(tmpdir(), 'cepheus-future-')), 'good.jsonl');
    await writeEvents(file, good);
    const expected = await runReplay(file, { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    expect(expected.alerts.length).toBe(7); // all of them raised by events after the runaway one

    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('future');
    const topics = await kindTopics(prefix, 1);
    const output = { alerts: `${prefix}.alerts`, deadLetter: `${prefix}.dlq`, state: `${prefix}.state` };
    // Good events, the runaway one (CreateTime: now, as any producer stamps it), 6 000 good events.
    await produceToKindTopics([...good.slice(0, 3000), runaway, ...good.slice(3000)], topics);

    const port = await freePort();
    const svc = startService(writeConfig({ group: prefix, topics, output, port }), 'future-event');
    await svc.waitFor(/input idle: flushed/, 90_000);
    await sleep(1500); // a few more commit intervals
    const base = `http://127.0.0.1:${port}`;
    const auth = { authorization: 'Bearer test-read-token' };
    const ready = await (await fetch(`${base}/readyz`)).json();
    const metrics = await metricsText(base);
    const streams = await (await fetch(`${base}/api/v1/streams`, { headers: auth })).json();
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });

    const alerts = await decodeAlerts(reg, await readTopic(k, output.alerts));
    expect(byId(alerts.map(withoutSources))).toEqual(byId(expected.alerts));

    const dead = await readTopic(k, output.deadLetter);
    const future = dead.filter((d) => d.headers['cepheus.error.code'] === 'CEP_ERR_FUTURE_EVENT');
    const offset = good.slice(0, 3000).filter((e) => e.kind === 'login').length;
    const recordTs = Number(future[0]?.headers['cepheus.source.timestamp']);
    const loginSchema = (future[0]?.value ?? Buffer.alloc(5)).readInt32BE(1);
    expect(future.map((d) => ({ key: d.key, value: d.value?.toString('hex'), headers: d.headers }))).toEqual([{
      key: 'AC-RUNAWAY', value: encodeConfluentValue(runaway, loginSchema).toString('hex'),
      headers: {
        'cepheus.error.code': 'CEP_ERR_FUTURE_EVENT', 'cepheus.error.message': futureMessage(`${topics.login}/0`, offset, runaway, recordTs, 300_000),
        'cepheus.source.topic': topics.login, 'cepheus.source.partition': '0', 'cepheus.source.offset': String(offset), 'cepheus.source.timestamp': String(recordTs),
      },
    }]);
    // Produced now: its record's timestamp is this test's wall clock, far from 2099 (not a wall-clock assertion on the service).
    expect(Y2099 - recordTs > 70 * 365 * 86_400_000).toBe(true);

    // Late for their own partition, and nothing else: as if the runaway event had never been there.
    const inputs = (await inputEvents(k, reg, Object.values(topics))).filter((x) => x.event.id !== runaway.id);
    const byCoordinates = new Map(inputs.map((x) => [`${x.topic}/${x.partition}/${x.offset}`, x.event.id]));
    const lateIds = dead.filter((d) => d.headers['cepheus.error.code'] === 'CEP_ERR_LATE_EVENT')
      .map((d) => byCoordinates.get(`${d.headers['cepheus.source.topic']}/${d.headers['cepheus.source.partition']}/${d.headers['cepheus.source.offset']}`)).sort();
    expect([dead.length, lateIds]).toEqual([1 + lateByPartition(inputs, 5000).length, lateByPartition(inputs, 5000)]);

    // No watermark went anywhere near 2099: each partition's time is its good events', the global one the largest (flushed).
    const maxOf = (kind: EventKind): number => Math.max(...good.filter((e) => e.kind === kind).map((e) => e.ts));
    const countOf = (kind: EventKind): number => good.filter((e) => e.kind === kind).length + (kind === 'login' ? 1 : 0);
    expect(streams).toEqual({
      watermark: Math.max(...good.map((e) => e.ts)), outOfOrdernessMs: 5000,
      streams: EVENT_KINDS.map((kind) => ({
        topic: topics[kind], partition: 0, maxEventTime: maxOf(kind), watermark: maxOf(kind) - 5000, active: false, held: false, position: countOf(kind), committed: countOf(kind),
      })),
    });
    expect({
      ready,
      future: metrics.match(/^cepheus_dead_letters_total\{code="CEP_ERR_FUTURE_EVENT"\} .*$/m)?.[0],
      warned: svc.lines.filter((l) => l.includes('"code":"CEP_ERR_FUTURE_EVENT"')).map((l) => (JSON.parse(l) as { count: number; msg: string }).count),
    }).toEqual({
      ready: { ready: true, reasons: [] },
      future: 'cepheus_dead_letters_total{code="CEP_ERR_FUTURE_EVENT"} 1',
      warned: [1],
    });
  }, 180_000);
});
