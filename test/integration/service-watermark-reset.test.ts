// A watermark reset and a redrive, against the real broker: all kinds in one single-partition
// topic. A burst of logins stamped now (not from the future by the skew rule: their records
// are stamped now too) moves the partition's time to today; the 6 000 fixture events produced
// after it (dated early 2026) are all late and dead-lettered. The operator sees it in
// GET /api/v1/streams, resets the partition's watermark through the admin route (audited with
// the admin token's identity), and runs `cepheus dlq redrive --code CEP_ERR_LATE_EVENT --since`:
// the redriven events raise exactly replay's alerts for them, once each (the whole list), and
// only replay's late events go late again. A restart keeps the audit and starts from the reset.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAX_AHEAD_MS, runReplay } from '../../src/cli/replay.ts';
import { EVENT_KINDS } from '../../src/events/types.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { readEventsStrict } from '../../src/io/read-events.ts';
import { writeEvents } from '../../src/io/write-events.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { replay } from '../../src/replay/replay.ts';
import { loadRules } from '../../src/rules/load-rules.ts';
import { SchemaResolver } from '../../src/kafka/registry.ts';
import { login } from '../../src/testing.ts';
import { pino } from 'pino';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { createTopics, kafka, kafkaAvailable, registry, uniqueTopic } from './support/kafka.ts';
import { STARTED, freePort, killAll, readTopic, sleep, startService, writeConfig } from './support/service.ts';

afterAll(() => killAll());

const run = promisify(execFile);
const cli = async (...args: string[]): Promise<string> => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CEPHEUS_')));
  return (await run(process.execPath, ['src/cli.ts', ...args], { env })).stdout;
};

/** Polls `f` every 200 ms until `ok` says yes (fails after `ms` with the last value). */
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms; last: ${JSON.stringify(v)}`);
    await sleep(200);
  }
}

interface StreamsBody {
  watermark: number | null;
  outOfOrdernessMs: number;
  streams: { topic: string; partition: number; maxEventTime: number | null; watermark: number | null; active: boolean; held: boolean; position: number; committed: number | null }[];
}

describe.skipIf(!kafkaAvailable())('a watermark reset and a redrive', () => {
  it('lets the late events in again: replay\'s alerts once each, replay\'s late events, the reset audited with the admin\'s identity', async () => {
    const s2: AnyEvent[] = [];
    let i = 0;
    for await (const e of readEventsStrict('fixtures/default.avro')) if (i++ >= 4000 && s2.push(e) >= 6000) break;
    const file = join(mkdtempSync(join(tmpdir(), 'cepheus-reset-')), 's2.jsonl');
    await writeEvents(file, s2);
    const expected = await runReplay(file, { rules: [], batchSize: 1024, outOfOrderMs: 5000, allowedLatenessMs: 0, progress: false });
    expect([expected.alerts.length, expected.summary.late]).toEqual([9, 3]);

    const k = kafka();
    const reg = registry();
    const group = uniqueTopic('reset');
    const topic = `${group}.in`;
    const output = { alerts: `${group}.alerts`, deadLetter: `${group}.dlq`, state: `${group}.state` };
    const admin = k.admin();
    await admin.connect();
    await createTopics(admin, [topic], 1);
    await admin.disconnect();
    const produce = (events: readonly AnyEvent[]) => produceEvents(events, {
      kafka: k, resolver: new SchemaResolver(reg, pino({ level: 'silent' })), topics: [{ topic, kinds: [...EVENT_KINDS], format: 'confluent', schemaId: 0 }],
    });
    const port = await freePort();
    const api = { host: '127.0.0.1', port, tokens: { 'test-read-token': 'read', 'test-admin-token': { scope: 'admin', name: 'ops-ana' } } };
    const config = writeConfig({ group, topics: Object.fromEntries(EVENT_KINDS.map((kind) => [kind, topic])), output, port, extra: { api } });
    const base = `http://127.0.0.1:${port}`;
    const read = { authorization: 'Bearer test-read-token' };
    const streams = async (): Promise<StreamsBody> => (await (await fetch(`${base}/api/v1/streams`, { headers: read })).json()) as StreamsBody;
    const one = (b: StreamsBody) => b.streams[0] as StreamsBody['streams'][number];

    let svc = startService(config, 'watermark-reset');
    await svc.waitFor(/"msg":"REST API listening"/);
    await svc.waitFor(STARTED);
    // A burst that legitimately moves time: logins stamped now, in records stamped now.
    const burstTs = Date.now() - 10_000;
    await produce([0, 1, 2].map((n) => login(`ev-burst-${n}`, burstTs + n * 1000, { account: 'AC-BURST', device: 'dev-burst', country: 'GB' })));
    await until(streams, (b) => one(b).maxEventTime === burstTs + 2000 && b.watermark === burstTs + 2000);
    const since = new Date().toISOString();
    await produce(s2);
    const late = await until(streams, (b) => one(b).committed === 3 + s2.length && !one(b).active);
    expect(late).toEqual({
      watermark: burstTs + 2000, outOfOrdernessMs: 5000,
      streams: [{ topic, partition: 0, maxEventTime: burstTs + 2000, watermark: burstTs - 3000, active: false, held: false, position: 3 + s2.length, committed: 3 + s2.length }],
    });

    const to = Math.min(...s2.map((e) => e.ts)) - 1000;
    const reason = 'a producer stamped a burst with today\'s time; redriving the 6000 late events';
    const reset = await fetch(`${base}/api/v1/streams/${topic}/0/watermark`, {
      method: 'POST', headers: { authorization: 'Bearer test-admin-token', 'content-type': 'application/json' }, body: JSON.stringify({ to, reason }),
    });
    const entry = await reset.json() as { at: number };
    const audited = {
      id: 1, at: entry.at, actor: 'ops-ana', action: 'watermark.reset', target: `${topic}/0`,
      before: { maxEventTime: burstTs + 2000, watermark: burstTs - 3000, active: false, globalWatermark: burstTs + 2000 },
      after: { maxEventTime: to + 5000, watermark: to, active: true, globalWatermark: to, to },
      comment: reason,
    };
    expect([reset.status, entry, typeof entry.at]).toEqual([200, audited, 'number']);
    expect(await streams()).toEqual({ ...late, watermark: to, streams: [{ ...one(late), maxEventTime: to + 5000, watermark: to, active: true, held: true }] });

    const redriven = JSON.parse(await cli('dlq', 'redrive', '--config', config, '--code', 'CEP_ERR_LATE_EVENT', '--since', since)) as unknown;
    expect(redriven).toEqual({ selected: s2.length, dryRun: false, redriven: s2.length, byTopic: { [topic]: s2.length }, skipped: [] });
    const s2Max = Math.max(...s2.map((e) => e.ts));
    const done = await until(streams, (b) => b.watermark === s2Max && one(b).committed === 3 + 2 * s2.length && !one(b).active);
    expect(done).toEqual({ ...late, watermark: s2Max, streams: [{ ...one(late), maxEventTime: s2Max, watermark: s2Max - 5000, position: 3 + 2 * s2.length, committed: 3 + 2 * s2.length }] });
    await sleep(1000); // a few more commit intervals
    const auditList = await (await fetch(`${base}/api/v1/audit`, { headers: read })).json();
    expect(auditList).toEqual({ items: [audited], nextCursor: null });
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });

    // Replay's alerts, each once: none from the first pass (all late), all from the redrive.
    const alerts = await decodeAlerts(reg, await readTopic(k, output.alerts));
    expect(byId(alerts.map(withoutSources))).toEqual(byId(expected.alerts));
    // Dead letters: every event of the first pass, then only replay's late events among the redriven ones.
    const dead = await readTopic(k, output.deadLetter);
    const ids = await Promise.all(dead.map(async (d) => [Number(d.headers['cepheus.source.offset']), ((await reg.decode(d.value as Buffer)) as { id: string }).id] as const));
    const replayLate: string[] = [];
    await replay(s2.map((event) => ({ event })), {
      rules: (await loadRules()).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 }, maxAheadMs: DEFAULT_MAX_AHEAD_MS,
      onEffect: (f) => {
        if (f.kind === 'late') replayLate.push(f.event.id);
      },
    });
    const firstPass = ids.filter(([offset]) => offset < 3 + s2.length).map(([, id]) => id).sort();
    const secondPass = ids.filter(([offset]) => offset >= 3 + s2.length).map(([, id]) => id).sort();
    expect({ codes: [...new Set(dead.map((d) => d.headers['cepheus.error.code']))], firstPass, secondPass }).toEqual({
      codes: ['CEP_ERR_LATE_EVENT'], firstPass: s2.map((e) => e.id).sort(), secondPass: replayLate.sort(),
    });
    expect(secondPass.length).toBe(expected.summary.late);

    // A restart: the audit is still there, and time starts where it was (the checkpoint after the reset and the redrive).
    svc = startService(config, 'watermark-reset-restart');
    await svc.waitFor(STARTED);
    await svc.waitFor(/"msg":"REST API listening"/);
    expect([await streams(), await (await fetch(`${base}/api/v1/audit`, { headers: read })).json()]).toEqual([done, { items: [audited], nextCursor: null }]);
    svc.child.kill('SIGTERM');
    expect(await svc.exited).toEqual({ code: 0, signal: null });
  }, 180_000);
});
