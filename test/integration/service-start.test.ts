// Starting and stopping `cepheus run` as an operator does: a bad config or a missing input
// topic stops the start with a coded message naming what to fix (exit 1); one signal stops
// gracefully (exit 0), a second one exits at once (exit 130).
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaAvailable, kindTopics, uniqueTopic } from './support/kafka.ts';
import { STARTED_FRESH, freePort, killAll, startService, writeConfig } from './support/service.ts';

afterAll(() => killAll());

const stderrOf = async (svc: ReturnType<typeof startService>): Promise<{ code: number | null; text: string }> => {
  const { code } = await svc.exited;
  return { code, text: svc.lines.join('\n') };
};

describe.skipIf(!kafkaAvailable())('starting and stopping the service', () => {
  it('refuses a bad config, naming every bad key, before connecting to anything', async () => {
    const file = writeConfig({ group: 'x', topics: { login: 'a' }, output: { alerts: 'a', deadLetter: 'b', state: 'c' }, port: 1 });
    writeFileSync(file, JSON.stringify({ kafka: { brokers: ['nohost'] }, topics: {}, output: { alerts: 'a b', deadLetter: 'd', state: 's' }, workers: 0 }));
    const r = await stderrOf(startService(file));
    expect(r).toEqual({ code: 1, text: [
      'CEP_ERR_CONFIG: ' + file + ' is invalid; fix these and start again',
      '  - kafka.brokers.0: expected host:port',
      '  - output.alerts: expected a Kafka topic name (letters, digits, . _ -)',
      '  - workers: Too small: expected number to be >=1',
      // Which inputs exist is decided over topics: and sources: together, after the fields.
      '  - topics: expected at least one of login, order, trade, transfer (here or under sources)',
    ].join('\n') });
  });

  it('refuses to start when an input topic is missing, and says which', async () => {
    const missing = uniqueTopic('missing');
    const r = await stderrOf(startService(writeConfig({ group: uniqueTopic('g'), topics: { login: missing }, output: { alerts: `${missing}.a`, deadLetter: `${missing}.d`, state: `${missing}.s` }, port: await freePort() })));
    expect(r.code).toBe(1);
    expect(r.text).toContain(`CEP_ERR_KAFKA_TOPIC_MISSING: input topic(s) missing on the cluster: ${missing}\n  - create them (kafka-topics.sh --create ...), or fix the names under \`topics:\` in the config`);
  });

  it('stops gracefully on one signal and at once on a second', async () => {
    const prefix = uniqueTopic('sig');
    const topics = await kindTopics(prefix, 1);
    const config = writeConfig({ group: prefix, topics, output: { alerts: `${prefix}.a`, deadLetter: `${prefix}.d`, state: `${prefix}.s` }, port: await freePort() });
    const once = startService(config);
    await once.waitFor(STARTED_FRESH);
    once.child.kill('SIGTERM');
    expect(await once.exited).toEqual({ code: 0, signal: null });
    expect(once.lines.some((l) => /"msg":"stopped"/.test(l))).toBe(true);

    const twice = startService(config, 'signals-twice');
    await twice.waitFor(/"msg":"restored the checkpoint; consuming"/);
    twice.child.kill('SIGINT');
    await twice.waitFor(/"msg":"stopping/); // two signals at once would merge into one
    twice.child.kill('SIGINT');
    expect(await twice.exited).toEqual({ code: 130, signal: null });
    expect(twice.lines).toContain('SIGINT again: exiting now; the next start replays from the last checkpoint');
  });
});
