// Service mode of the alert store: alerts committed to the alerts topic (Avro, registered
// schema) land in the store exactly once, aborted ones never, and a restarted feed adds
// nothing. Real broker and registry.
import { SchemaType } from '@kafkajs/confluent-schema-registry';
import { Partitioners } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { runReplay } from '../../src/cli/replay.ts';
import type { Alert } from '../../src/core/alert.ts';
import { ALERT_SCHEMA, registryAlertWire, toRecord } from '../../src/store/alert-codec.ts';
import { startAlertFeed } from '../../src/store/alert-feed.ts';
import { AlertStore } from '../../src/store/alert-store.ts';
import { closeAll, createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';

async function until(cond: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

describe.skipIf(!kafkaAvailable())('alert store fed by the alerts topic', () => {
  const clients: (Admin | Producer | undefined)[] = [];
  afterAll(() => closeAll(...clients));

  it('stores committed alerts once, never aborted ones, and nothing more after a restart', async () => {
    const alerts: Alert[] = (await runReplay('fixtures/default.avro', { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false })).alerts;
    const k = kafka();
    const reg = registry();
    const topic = uniqueTopic('cepheus.alerts');
    const admin = k.admin();
    clients.push(admin);
    await admin.connect();
    await createTopics(admin, [topic], 2);
    const { id } = await reg.register({ type: SchemaType.AVRO, schema: ALERT_SCHEMA }, { subject: `${topic}-value` });
    const frame = (a: Alert) => reg.encode(id, toRecord(a));

    const tx = k.producer({ createPartitioner: Partitioners.DefaultPartitioner, transactionalId: `${topic}.tx`, idempotent: true, maxInFlightRequests: 1, retry: { initialRetryTime: 20 } });
    clients.push(tx);
    await tx.connect();
    const committed = alerts.slice(0, 20);
    const t1 = await tx.transaction();
    await t1.send({ topic, acks: -1, messages: await Promise.all(committed.map(async (a) => ({ key: a.key, value: await frame(a) }))) });
    await t1.commit();
    const aborted = await tx.transaction();
    await aborted.send({ topic, acks: -1, messages: await Promise.all(alerts.slice(20).map(async (a) => ({ key: a.key, value: await frame(a) }))) });
    await aborted.abort();
    const t2 = await tx.transaction(); // a redelivered duplicate, as after a producer retry
    await t2.send({ topic, acks: -1, messages: [{ key: committed[0]?.key ?? '', value: await frame(committed[0] as Alert) }] });
    await t2.commit();

    const store = new AlertStore(':memory:');
    const feed = await startAlertFeed({ kafka: k, wire: registryAlertWire(reg, id), topic, groupId: `${topic}.store`, store, now: () => 1 });
    await until(() => feed.stats().records >= 21);
    await feed.stop();
    const ids = (s: AlertStore) => s.list({}, 500).items.map((a) => a.id).sort();
    expect(feed.stats()).toEqual({ records: 21, stored: 20, errors: 0 });
    expect(ids(store)).toEqual(committed.map((a) => a.id).sort());
    expect(store.get(committed[3]?.id as string)).toEqual({ ...JSON.parse(JSON.stringify(committed[3])), status: 'open', storedAt: 1, updatedAt: 1, history: [], activity: [], assignee: null, disposition: null });

    const again = await startAlertFeed({ kafka: k, wire: registryAlertWire(reg, id), topic, groupId: `${topic}.store-2`, store, now: () => 2 });
    await until(() => again.stats().records >= 21);
    await again.stop();
    expect(again.stats()).toEqual({ records: 21, stored: 0, errors: 0 });
    expect(store.count()).toBe(20);
    store.close();
  });
});
