// `cepheus dlq` against the real broker: dead letters written as the service writes them
// (original bytes, headers saying why and where from) are listed, selected by code, and
// redriven into their source topic with their original key and value.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Partitioners } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAll, createTopics, kafka, kafkaAvailable, uniqueTopic } from './support/kafka.ts';
import { writeConfig } from './support/service.ts';
import type { Admin, Consumer, Producer } from 'kafkajs';

const run = promisify(execFile);
const cli = async (...args: string[]): Promise<string> => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('CEPHEUS_')));
  return (await run(process.execPath, ['src/cli.ts', ...args], { env })).stdout;
};

describe.skipIf(!kafkaAvailable())('cepheus dlq', () => {
  let admin: Admin | undefined;
  let producer: Producer | undefined;
  let consumer: Consumer | undefined;
  afterAll(() => closeAll(consumer, producer, admin));

  it('lists dead letters by code and redrives the chosen ones into their source topic', async () => {
    const k = kafka();
    const source = uniqueTopic('dlq.logins');
    const dlq = uniqueTopic('dlq.dead');
    admin = k.admin();
    await admin.connect();
    await createTopics(admin, [source, dlq]);
    const at = (i: number, code: string, value: string | null): { key: string; value: Buffer | null; headers: Record<string, string> } => ({
      key: `AC${i}`, value: value === null ? null : Buffer.from(value),
      headers: {
        'cepheus.error.code': code, 'cepheus.error.message': `${code}: ${source}/0: offset ${i}: why`, 'cepheus.source.topic': source,
        'cepheus.source.partition': '0', 'cepheus.source.offset': String(i), 'cepheus.source.timestamp': '1767571200000',
      },
    });
    producer = k.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic: dlq, messages: [at(0, 'CEP_ERR_LATE_EVENT', 'late-0'), at(1, 'CEP_ERR_INPUT_FRAME', 'garbage'), at(2, 'CEP_ERR_LATE_EVENT', 'late-2'), at(3, 'CEP_ERR_INPUT_EMPTY', null)] });
    const config = writeConfig({ group: uniqueTopic('dlq.g'), topics: { login: source }, output: { alerts: uniqueTopic('dlq.a'), deadLetter: dlq, state: uniqueTopic('dlq.s') }, port: 8089 });

    const listed = await cli('dlq', 'list', '--config', config, '--code', 'CEP_ERR_LATE_EVENT');
    const lines = listed.trim().split('\n').map((l) => l.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/, '<time>'));
    expect(lines).toEqual([
      `${dlq}/0/0  <time>  CEP_ERR_LATE_EVENT  ${source}/0@0  6 B  CEP_ERR_LATE_EVENT: ${source}/0: offset 0: why`,
      `${dlq}/0/2  <time>  CEP_ERR_LATE_EVENT  ${source}/0@2  6 B  CEP_ERR_LATE_EVENT: ${source}/0: offset 2: why`,
      `2 dead letter(s) in ${dlq}: CEP_ERR_LATE_EVENT 2`,
    ]);
    const shown = JSON.parse(await cli('dlq', 'show', `${dlq}/0/1`, '--config', config)) as { code: string; valueText: string; source: unknown };
    expect([shown.code, shown.valueText, shown.source]).toEqual(['CEP_ERR_INPUT_FRAME', 'garbage', { topic: source, partition: 0, offset: 1, timestamp: 1767571200000 }]);

    const redriven = JSON.parse(await cli('dlq', 'redrive', '--config', config, '--code', 'CEP_ERR_LATE_EVENT,CEP_ERR_INPUT_EMPTY')) as unknown;
    expect(redriven).toEqual({ selected: 3, dryRun: false, redriven: 2, byTopic: { [source]: 2 }, skipped: [{ id: `${dlq}/0/3`, reason: 'no value (a tombstone): nothing to process' }] });

    consumer = k.consumer({ groupId: uniqueTopic('dlq.check') });
    await consumer.connect();
    await consumer.subscribe({ topic: source, fromBeginning: true });
    const got: [string, string, string][] = [];
    await new Promise<void>((resolve) => {
      void consumer?.run({
        eachMessage: async ({ message }) => {
          got.push([String(message.key), String(message.value), String(message.headers?.['cepheus.redriven.from'])]);
          if (got.length === 2) resolve();
        },
      });
    });
    expect(got).toEqual([['AC0', 'late-0', `${dlq}/0/0`], ['AC2', 'late-2', `${dlq}/0/2`]]);
  });
});
