// `cepheus produce <file>`: loads an event file (Avro container or JSON Lines) into the input
// topics of a config, as the service reads them: keyed by account, schemas registered.
import { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { CepError } from '../core/errors.ts';
import { EVENT_KINDS } from '../events/types.ts';
import { KafkaAdmin } from '../kafka/admin.ts';
import { kafkaClient } from '../kafka/client.ts';
import { checkBrokers } from '../kafka/preflight.ts';
import { produceEvents } from '../kafka/event-producer.ts';
import { SchemaResolver, registryClient } from '../kafka/registry.ts';
import { readEventsStrict } from '../io/read-events.ts';
import { inputsOf } from '../config/inputs.ts';
import type { InputTopic } from '../config/inputs.ts';
import { pino } from 'pino';
import { parseNonNegative, parsePositiveInt, printError } from './common.ts';

interface ProduceCliOptions {
  config?: string;
  topic?: string;
  partitions: number;
  rate: number;
  timestamps: 'now' | 'event';
}

export function produceCommand(): Command {
  return new Command('produce')
    .description('produce an event file into the input topics of a config (keyed by account, Confluent-framed, schemas registered)')
    .argument('<file>', 'events: .avro (Avro object container) or .jsonl')
    .option('--config <file>', 'config with kafka, registry and topics (CEPHEUS_* variables override it)')
    .option('--topic <name>', 'put every kind into this one topic instead of the config\'s topics')
    .option('--partitions <n>', 'partitions for topics that do not exist yet', parsePositiveInt('--partitions'), 3)
    .option('--rate <events/s>', 'pace the producer (0: as fast as possible)', parseNonNegative('--rate'), 0)
    .option('--timestamps <which>', 'Kafka record timestamps: now or event (the event time)', 'now')
    .action(async (file: string, opts: ProduceCliOptions) => {
      try {
        if (opts.timestamps !== 'now' && opts.timestamps !== 'event') throw new CepError('CEP_ERR_CLI_ARG', `--timestamps must be now or event (got '${opts.timestamps}')`);
        const config = loadConfig(opts.config);
        const log = pino({ level: 'warn' });
        const topics: readonly InputTopic[] = opts.topic === undefined ? inputsOf(config).topics.filter((t) => t.from === undefined) : [{ topic: opts.topic, kinds: [...EVENT_KINDS], format: 'confluent', schemaId: 0 }];
        await checkBrokers(config.kafka.brokers);
        const kafka = kafkaClient(config.kafka, log, `${config.kafka.clientId}-producer`);
        const admin = new KafkaAdmin(kafka);
        await admin.connect();
        try {
          await admin.ensureTopics(topics.map((t) => ({ topic: t.topic, partitions: opts.partitions, replicationFactor: config.output.replicationFactor })));
        } finally {
          await admin.disconnect();
        }
        const resolver = config.registry === null ? null : new SchemaResolver(registryClient(config.registry), log);
        const summary = await produceEvents(readEventsStrict(file), { kafka, resolver, topics, rate: opts.rate, timestamps: opts.timestamps });
        console.log(JSON.stringify({ file, ...summary }, null, 2));
      } catch (err) {
        printError(err);
      }
    });
}
