// The oversized record that crash-looped the service: an input topic that allows 8 MB records
// gets a 5 MB value that does not decode, and the dead-letter topic exists with the broker's
// default limit (1 MB). The dead letter goes by reference (coordinates, sizes, schema id, the
// first 1 KiB, flagged), nothing is restored again and no commit fails, /readyz stays 200, and
// the good events after it raise exactly replay's alerts. The topics the service creates get
// the limits it documents; the dead-letter topic it found keeps its own.
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import { loadEventSchemas } from '../../src/events/schemas.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { kafka, kafkaAvailable, produceToKindTopics, registry, uniqueTopic } from './support/kafka.ts';
import { freePort, killAll, readTopic, sleep, startService, writeConfig, metricsText } from './support/service.ts';

afterAll(() => killAll());

const MB = 1024 * 1024;

describe.skipIf(!kafkaAvailable())('an oversized record', () => {
  it('is dead-lettered by reference; no commit fails, nothing restores again, and the good events that follow raise replay\'s alerts', async () => {
    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('oversized');
    const topics = Object.fromEntries(EVENT_KINDS.map((kind) => [kind, `${prefix}.${kind}`])) as Record<(typeof EVENT_KINDS)[number], string>;
    const output = { alerts: `${prefix}.alerts`, deadLetter: `${prefix}.dlq`, state: `${prefix}.state` };
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        ...EVENT_KINDS.map((kind) => ({ topic: topics[kind], numPartitions: 1, replicationFactor: 1, ...(kind === 'login' ? { configEntries: [{ name: 'max.message.bytes', value: String(8 * MB) }] } : {}) })),
        { topic: output.deadLetter, numPartitions: 1, replicationFactor: 1 }, // the broker's default: 1 MB
      ],
    });
    // 5 MB that claim to be a login (framed with its schema id) but do not decode.
    const loginId = await new SchemaResolver(reg, pino({ level: 'silent' })).register(JSON.stringify(loadEventSchemas().find((s) => s.kind === 'login')?.schema), `${topics.login}-value`);
    const value = Buffer.alloc(5 * MB, 0xff);
    value.writeUInt8(0, 0);
    value.writeInt32BE(loginId, 1);
    const producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: topics.login, acks: -1, messages: [{ key: 'BIG1', value }] });
    await producer.disconnect();
    await produceToKindTopics(readEventsStrict('fixtures/default.avro'), topics);

    const port = await freePort();
    const svc = startService(writeConfig({ group: prefix, topics, output, port }), 'oversized');
    await svc.waitFor(/input idle: flushed/, 90_000);
    await sleep(1500); // a few more commit intervals: any failing commit would show
    const ready = await (await fetch(`http://127.0.0.1:${port}/readyz`)).json();
    const metrics = await metricsText(`http://127.0.0.1:${port}`);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });

    const dead = (await readTopic(k, output.deadLetter)).filter((d) => d.headers['cepheus.error.code'] !== 'CEP_ERR_LATE_EVENT');
    expect(dead.map((d) => ({ key: d.key, value: d.value?.toString('hex'), headers: d.headers }))).toEqual([{
      key: 'BIG1', value: value.subarray(0, 1024).toString('hex'),
      headers: {
        'cepheus.error.code': 'CEP_ERR_INPUT_AVRO_DECODE',
        'cepheus.error.message': `CEP_ERR_INPUT_AVRO_DECODE: ${topics.login}/0: offset 0: cannot decode as login with schema id ${loginId}: truncated buffer`,
        'cepheus.source.topic': topics.login, 'cepheus.source.partition': '0', 'cepheus.source.offset': '0', 'cepheus.source.timestamp': expect.stringMatching(/^\d{13}$/),
        'cepheus.value.truncated': 'true', 'cepheus.value.bytes': String(5 * MB), 'cepheus.value.schema.id': String(loginId), 'cepheus.key.bytes': '4',
      },
    }]);
    // One start, no restore after it, no failed commit, and ready all along.
    const lines = svc.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; code?: string; level: number });
    expect({
      ready,
      restores: metrics.match(/^cepheus_restores_total .*$/m)?.[0],
      commitFailures: metrics.match(/^cepheus_commit_failures_total\{.*$/gm),
      byReference: metrics.match(/^cepheus_dead_letters_by_reference_total .*$/m)?.[0],
      decodeErrors: metrics.match(/^cepheus_dead_letters_total\{code="CEP_ERR_INPUT_AVRO_DECODE"\} .*$/m)?.[0],
      starts: lines.filter((l) => /^(no checkpoint:|restored the checkpoint)/.test(l.msg)).map((l) => l.msg),
      failures: lines.filter((l) => l.level >= 50 && l.code !== undefined).map((l) => l.code),
      warned: lines.filter((l) => /by reference/.test(l.msg)).map((l) => l.msg),
    }).toEqual({
      ready: { ready: true, reasons: [] },
      restores: 'cepheus_restores_total 1',
      commitFailures: null,
      byReference: 'cepheus_dead_letters_by_reference_total 1',
      decodeErrors: 'cepheus_dead_letters_total{code="CEP_ERR_INPUT_AVRO_DECODE"} 1',
      starts: ['no checkpoint: starting with empty state; consuming'],
      failures: [],
      warned: [
        'input records bigger than this dead-letter topic accepts are dead-lettered by reference (coordinates, size, first bytes)',
        'dead letters too big for their topic written by reference (cepheus.value.truncated): the records stay in their source topics',
      ],
    });
    // The topics it created got the limits it documents; the dead-letter topic it found kept its own.
    const cfg = await admin.describeConfigs({ includeSynonyms: false, resources: [output.alerts, output.state, output.deadLetter].map((name) => ({ type: 2, name, configNames: ['max.message.bytes'] })) });
    await admin.disconnect();
    expect(Object.fromEntries(cfg.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]))).toEqual({
      [output.alerts]: '8388608', [output.state]: '2097152', [output.deadLetter]: '1048588',
    });

    const replayed = await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    const alerts = await decodeAlerts(reg, await readTopic(k, output.alerts));
    expect(byId(alerts.map(withoutSources))).toEqual(byId(replayed.alerts));
  }, 240_000);
});
