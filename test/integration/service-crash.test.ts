// Crash recovery: the service is killed with SIGKILL three times at seeded random points
// while it works through 150 000 events, and restarted each time. What committed to the
// alerts and dead-letter topics must equal an uninterrupted run over the same topics: no
// alert lost, none duplicated, same content, same source coordinates. The uninterrupted run
// has 2 shards (rounds in two phases), the killed one 1 shard (one task per round, the
// default on a 2-core host): the paths must agree through checkpoints, recoveries and the
// final idle flush too. Beside the bundled rules run rules under every after-match skip
// strategy (test/rules/every-strategy.ts), so each strategy's state crosses the restores.
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/core/alert.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import { Prng } from '../../src/fixture-generator/prng.ts';
import { byId, decodeAlerts } from './support/expect.ts';
import { kafka, kafkaAvailable, kindTopics, produceToKindTopics, registry, uniqueTopic } from './support/kafka.ts';
import { STARTED, freePort, killAll, readTopic, sleep, startService, writeConfig, metricsText } from './support/service.ts';
import type { ReadRecord, ServiceProcess } from './support/service.ts';

afterAll(() => killAll());

const EVENTS = 150_000;
const SEED = 0xc0ffee;

async function lag(port: number): Promise<number | undefined> {
  try {
    const text = await metricsText(`http://127.0.0.1:${port}`);
    const m = /^cepheus_consumer_lag_records (\d+)$/m.exec(text);
    const restores = /^cepheus_restores_total (\d+)$/m.exec(text);
    return m === null || restores === null || restores[1] === '0' ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

const deadKey = (d: ReadRecord): string => [d.headers['cepheus.error.code'], d.headers['cepheus.source.topic'], d.headers['cepheus.source.partition'], d.headers['cepheus.source.offset']].join('/');

describe.skipIf(!kafkaAvailable())('crash recovery', () => {
  it('SIGKILL three times at random points: the committed alerts and dead letters equal an uninterrupted run', async () => {
    const k = kafka();
    const reg = registry();
    const prefix = uniqueTopic('crash');
    const topics = await kindTopics(prefix, 3);
    await produceToKindTopics(generate({ seed: 7, events: EVENTS, accounts: 800, positives: 6 }).events, topics);
    const outputs = (name: string) => ({ alerts: `${prefix}.${name}.alerts`, deadLetter: `${prefix}.${name}.dlq`, state: `${prefix}.${name}.state` });
    // Small rounds and a short checkpoint interval: many commits and checkpoints to land between.
    const extra = { roundMaxValues: 512, maxInFlight: 2, snapshotIntervalMs: 700, rules: ['rules', 'test/rules/every-strategy.ts'] };

    // The uninterrupted run.
    const ref = outputs('ref');
    const refSvc = startService(writeConfig({ group: `${prefix}.ref`, topics, output: ref, port: await freePort(), extra }), 'crash-ref');
    await refSvc.waitFor(/input idle: flushed/, 120_000);
    refSvc.child.kill('SIGTERM');
    expect(await refSvc.exited).toEqual({ code: 0, signal: null });
    const expectedAlerts = byId(await decodeAlerts(reg, await readTopic(k, ref.alerts)));
    const expectedDead = (await readTopic(k, ref.deadLetter)).map(deadKey).sort();
    expect(expectedAlerts.length).toBeGreaterThan(50);
    const strategies = ['no-skip', 'skip-past-last-event', 'skip-overlapping', 'skip-to-next', 'skip-to-first', 'skip-to-last'];
    expect(strategies.filter((s) => !expectedAlerts.some((a) => a.ruleId === `strategy-round-trip-${s}`))).toEqual([]);

    // The run killed three times, each time when a seeded random share of the input is left.
    const crash = outputs('crash');
    const port = await freePort();
    const config = writeConfig({ group: `${prefix}.crash`, topics, output: crash, port, extra: { ...extra, workers: 1 } });
    const rng = new Prng(SEED);
    const logs: string[][] = [];
    for (const [i, share] of [0.85, 0.6, 0.35].entries()) {
      const left = Math.round(EVENTS * (share - rng.next() * 0.2));
      const svc: ServiceProcess = startService(config, `crash-${i}`);
      logs.push(svc.lines);
      await svc.waitFor(STARTED, 60_000);
      for (;;) {
        const l = await lag(port);
        if (l !== undefined && l <= left) break;
        if (svc.lines.some((x) => /input idle: flushed/.test(x))) throw new Error(`the input was consumed before the kill at ${left} records left`);
        await sleep(20);
      }
      svc.child.kill('SIGKILL');
      expect((await svc.exited).signal).toBe('SIGKILL');
    }
    const last = startService(config, 'crash-last');
    logs.push(last.lines);
    await last.waitFor(/input idle: flushed/, 120_000);
    last.child.kill('SIGTERM');
    expect(await last.exited).toEqual({ code: 0, signal: null });

    const got: Alert[] = byId(await decodeAlerts(reg, await readTopic(k, crash.alerts)));
    expect(got.map((a) => a.id)).toEqual(expectedAlerts.map((a) => a.id)); // none lost, none twice
    expect(got).toEqual(expectedAlerts);
    expect((await readTopic(k, crash.deadLetter)).map(deadKey).sort()).toEqual(expectedDead);
    // The restarts really restored checkpoints and replayed input with outputs suppressed.
    const all = logs.flat();
    expect(all.filter((l) => l.includes('restored the checkpoint')).length).toBeGreaterThanOrEqual(2);
    expect(all.some((l) => l.includes('recovered: caught up with the committed offsets'))).toBe(true);
  }, 400_000);
});
