// Bad input loses nothing and stops nothing: garbage bytes, a wrong magic byte, an unknown
// schema id, truncated Avro, a tombstone, a record of another kind or of no event schema,
// and schema-valid events with impossible values all land in the dead-letter topic with
// their original bytes and headers saying why and where from; the service keeps running and
// the good events that follow raise exactly replay's alerts.
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import { loadEventSchemas } from '../../src/events/schemas.ts';
import type { EventKind, Login, Transfer } from '../../src/events/types.ts';
import { encodeConfluentValue } from '../../src/io/confluent-frame.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { login, trade, transfer } from '../../src/testing.ts';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { kafka, kafkaAvailable, kindTopics, produceToKindTopics, registry, uniqueTopic } from './support/kafka.ts';
import { freePort, killAll, readTopic, sleep, startService, writeConfig, metricsText } from './support/service.ts';

afterAll(() => killAll());

describe.skipIf(!kafkaAvailable())('bad input', () => {
  it('dead-letters every bad record with its reason, keeps running, and still raises replay\'s alerts', async () => {
    const k = kafka();
    const reg = registry();
    const resolver = new SchemaResolver(reg, pino({ level: 'silent' }));
    const prefix = uniqueTopic('bad');
    const topics = await kindTopics(prefix, 1);
    const schemaOf = (kind: EventKind): string => JSON.stringify(loadEventSchemas().find((s) => s.kind === kind)?.schema);
    const loginId = await resolver.register(schemaOf('login'), `${topics.login}-value`);
    const tradeId = await resolver.register(schemaOf('trade'), `${topics.trade}-value`);
    const transferId = await resolver.register(schemaOf('transfer'), `${topics.transfer}-value`);
    const fooId = await resolver.register(JSON.stringify({ type: 'record', name: 'Foo', namespace: 'x.y', fields: [{ name: 'n', type: 'int' }] }), `${prefix}.foo-value`);
    const good: Login = login('bad-l1', Date.parse('2026-01-05T00:00:00Z'), { account: 'BAD1' });
    const framed = encodeConfluentValue(good, loginId);
    const header = (id: number): Buffer => {
      const b = Buffer.alloc(5);
      b.writeInt32BE(id, 1);
      return b;
    };
    const bad: { topic: string; value: Buffer | null; code: string }[] = [
      { topic: topics.login, value: Buffer.from('not avro at all'), code: 'CEP_ERR_INPUT_FRAME' },
      { topic: topics.login, value: Buffer.concat([Buffer.from([1]), framed.subarray(1)]), code: 'CEP_ERR_INPUT_FRAME' },
      { topic: topics.login, value: Buffer.concat([header(0x7fffff01), framed.subarray(5)]), code: 'CEP_ERR_INPUT_SCHEMA_UNKNOWN' },
      { topic: topics.login, value: framed.subarray(0, 12), code: 'CEP_ERR_INPUT_AVRO_DECODE' },
      { topic: topics.login, value: null, code: 'CEP_ERR_INPUT_EMPTY' },
      { topic: topics.login, value: encodeConfluentValue(trade('bad-t1', good.ts, { account: 'BAD1' }), tradeId), code: 'CEP_ERR_INPUT_SCHEMA_KIND' },
      { topic: topics.login, value: Buffer.concat([header(fooId), Buffer.from([0x02])]), code: 'CEP_ERR_INPUT_SCHEMA_KIND' },
      { topic: topics.transfer, value: encodeConfluentValue({ ...transfer('bad-x1', good.ts, { account: 'BAD1' }), amount: -250 } as Transfer, transferId), code: 'CEP_ERR_INPUT_VALUE' },
      { topic: topics.transfer, value: encodeConfluentValue(transfer('bad-x2', 1_767_571_200, { account: 'BAD1' }), transferId), code: 'CEP_ERR_INPUT_VALUE' },
    ];
    const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    for (const b of bad) await producer.send({ topic: b.topic, acks: -1, messages: [{ key: 'BAD1', value: b.value }] });
    await producer.disconnect();
    await produceToKindTopics(readEventsStrict('fixtures/default.avro'), topics);

    const output = { alerts: `${prefix}.alerts`, deadLetter: `${prefix}.dlq`, state: `${prefix}.state` };
    const port = await freePort();
    const svc = startService(writeConfig({ group: prefix, topics, output, port }), 'bad-input');
    await svc.waitFor(/input idle: flushed/, 90_000);
    await sleep(500);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const metrics = await metricsText(`http://127.0.0.1:${port}`);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null }); // it ran until asked to stop

    const dead = (await readTopic(k, output.deadLetter)).filter((d) => d.headers['cepheus.error.code'] !== 'CEP_ERR_LATE_EVENT');
    const offsets = new Map<string, number>();
    const expected = bad.map((b) => {
      const offset = offsets.get(b.topic) ?? 0;
      offsets.set(b.topic, offset + 1);
      return { code: b.code, topic: b.topic, offset: String(offset), value: b.value === null ? null : b.value.toString('hex') };
    });
    const key = (x: { topic: string; offset: string }): string => `${x.topic}/${x.offset}`;
    expect(dead.map((d) => ({ code: d.headers['cepheus.error.code'], topic: d.headers['cepheus.source.topic'], offset: d.headers['cepheus.source.offset'], value: d.value === null ? null : d.value.toString('hex') }))
      .sort((a, b) => (key(a as { topic: string; offset: string }) < key(b as { topic: string; offset: string }) ? -1 : 1)))
      .toEqual(expected.sort((a, b) => (key(a) < key(b) ? -1 : 1)));
    // Each says what was wrong.
    expect(dead.map((d) => d.headers['cepheus.error.message']).filter((m) => m === undefined || m.length < 20)).toEqual([]);
    expect(dead.find((d) => d.headers['cepheus.error.code'] === 'CEP_ERR_INPUT_VALUE')?.headers['cepheus.error.message']).toMatch(/field 'amount': must be > 0, got -250/);
    expect(metrics).toMatch(/cepheus_dead_letters_total\{code="CEP_ERR_INPUT_FRAME"\} 2/);

    const replayed = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const alerts = await decodeAlerts(reg, await readTopic(k, output.alerts));
    expect(byId(alerts.map(withoutSources))).toEqual(byId(replayed.alerts));
  }, 240_000);
});
