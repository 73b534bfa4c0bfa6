// Two instances in one group: the first owns every partition, the second stands by (ready,
// holding nothing). The first is killed mid-stream; the second takes over from its
// checkpoint and committed offsets, and the alerts topic ends up holding replay's alerts
// once each (the fixture has no late events, so per-partition time equals replay's).
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alert.ts';
import type { AnyEvent } from '../../src/events/types.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import { replay } from '../../src/replay/replay.ts';
import { loadRules } from '../../src/rules/load-rules.ts';
import { byId, decodeAlerts, withoutSources } from './support/expect.ts';
import { kafka, kafkaAvailable, kindTopics, produceToKindTopics, registry, uniqueTopic } from './support/kafka.ts';
import { STARTED_FRESH, freePort, killAll, metricsText, readTopic, sleep, startService, writeConfig } from './support/service.ts';

afterAll(() => killAll());

/** Enough that the active instance is still consuming when it is killed (120 000 were read in full before the standby had joined, on an idle machine). */
const EVENTS = 360_000;

describe.skipIf(!kafkaAvailable())('active / standby', () => {
  it('a standby takes over when the active instance dies, and no alert is lost or doubled', async () => {
    const events: AnyEvent[] = [...generate({ seed: 11, events: EVENTS, accounts: 700, late: 0, positives: 4 }).events];
    const expected: Alert[] = [];
    await replay(events.map((event) => ({ event })), { rules: (await loadRules()).map((l) => l.rule), engine: { outOfOrdernessMs: 5000 }, onAlert: (a) => expected.push(a) });
    expect(expected.length).toBeGreaterThan(35);

    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('failover');
    const topics = await kindTopics(prefix, 3);
    await produceToKindTopics(events, topics);
    const output = { alerts: `${prefix}.alerts`, deadLetter: `${prefix}.dlq`, state: `${prefix}.state` };
    const extra = { roundMaxValues: 512, maxInFlight: 2, snapshotIntervalMs: 700 };
    const [portA, portB] = [await freePort(), await freePort()];
    const a = startService(writeConfig({ group: prefix, topics, output, port: portA, extra }), 'failover-a');
    await a.waitFor(STARTED_FRESH);
    const b = startService(writeConfig({ group: prefix, topics, output, port: portB, extra }), 'failover-b');
    await b.waitFor(/"msg":"standby: another instance of the group holds every partition"/);
    const ready = await (await fetch(`http://127.0.0.1:${portB}/readyz`)).json() as { ready: boolean; reasons: string[] };
    expect(ready).toEqual({ ready: true, reasons: ['standby: another instance of the group holds the partitions'] });
    // Let the active one commit some of it (at least one checkpoint after the rebalance), then kill it.
    await a.waitFor(/"msg":"restored the checkpoint; (consuming|replaying up to the committed offsets)"/); // after the rebalance B's join caused
    // The first checkpoint after the restore, not a fixed wait: a fast machine got through the
    // whole input in a 1.5 s wait, and the test then had no instance to take over from.
    const checkpoints = async (): Promise<number> => Number(/^cepheus_checkpoints_total(?:\{[^}]*\})? (\d+)$/m.exec(await metricsText(`http://127.0.0.1:${portA}`).catch(() => ''))?.[1] ?? -1);
    const before = await checkpoints();
    for (let i = 0; i < 200 && (await checkpoints()) <= before; i++) await sleep(50);
    expect(a.lines.some((l) => l.includes('input idle'))).toBe(false);
    a.child.kill('SIGKILL');
    await a.exited;

    await b.waitFor(/"msg":"restored the checkpoint[^"]*"/, 60_000);
    await b.waitFor(/input idle: flushed/, 120_000);
    b.child.kill('SIGTERM');
    expect(await b.exited).toEqual({ code: 0, signal: null });

    const got = byId(await decodeAlerts(reg, await readTopic(k, output.alerts)));
    expect(got.map((x) => x.id)).toEqual(byId(expected).map((x) => x.id));
    expect(got.map(withoutSources)).toEqual(byId(expected));
    expect(await readTopic(k, output.deadLetter)).toEqual([]);
  }, 300_000);
});
