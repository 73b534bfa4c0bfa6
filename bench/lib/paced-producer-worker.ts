// The producer thread of paced-producer.ts: generates the fixture, then produces it at the
// offered rate with produceEvents (keyed by account, Confluent-framed, record timestamp =
// send time), posting each acknowledged batch's events (id, send time, event time, stream)
// to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { Partitioners } from 'kafkajs';
import type { PartitionMetadata } from 'kafkajs';
import { pino } from 'pino';
import { ConfigSchema } from '../../src/config/config.ts';
import type { AnyEvent, EventKind } from '../../src/events/types.ts';
import { generate } from '../../src/fixture-generator/generate.ts';
import { kafkaClient } from '../../src/kafka/client.ts';
import { produceEvents } from '../../src/kafka/event-producer.ts';
import { SchemaResolver, registryClient } from '../../src/kafka/registry.ts';
import type { PacedJob, PacedMessage } from './paced-producer.ts';
import { wallNow } from './paced-producer.ts';

const job = workerData as PacedJob;
const post = (m: PacedMessage): void => parentPort?.postMessage(m);
const log = pino({ level: 'error' });

// The partition kafkajs's default partitioner gives a keyed record (murmur2 of the key).
const partitioner = Partitioners.DefaultPartitioner();
const metadata: PartitionMetadata[] = Array.from({ length: job.partitions }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
const topicIndex = new Map<EventKind, number>();
job.topics.forEach((t, i) => {
  for (const k of t.kinds) topicIndex.set(k, i);
});

let ids: string[] = [];
let at: number[] = [];
let ts: number[] = [];
let stream: number[] = [];
/** produceEvents stamps a record (Date.now()) right after pulling its event: that is its send time. */
function* stamped(events: readonly AnyEvent[]): Generator<AnyEvent> {
  for (const e of events) {
    const t = topicIndex.get(e.kind) ?? 0;
    ids.push(e.id);
    at.push(wallNow());
    ts.push(e.ts);
    stream.push(t * job.partitions + partitioner({ topic: job.topics[t]?.topic ?? '', partitionMetadata: metadata, message: { key: e.account, value: null } }));
    yield e;
  }
}

try {
  const kafka = kafkaClient(ConfigSchema.shape.kafka.parse({ brokers: [...job.target.brokers], clientId: 'cepheus-bench-producer' }), log);
  const resolver = new SchemaResolver(registryClient({ url: job.target.registryUrl }), log);
  const events = [...generate({ seed: job.seed, events: job.events, accounts: job.accounts, positives: job.positives }).events];
  post({ type: 'ready' });
  const summary = await produceEvents(stamped(events), {
    kafka, resolver, topics: job.topics, rate: job.rate, batchSize: job.batchSize,
    onProgress: () => {
      post({ type: 'sent', ids, at: Float64Array.from(at), ts: Float64Array.from(ts), stream: Uint8Array.from(stream) });
      ids = [];
      at = [];
      ts = [];
      stream = [];
    },
  });
  post({ type: 'done', events: summary.events, ms: summary.ms, eventsPerSec: summary.eventsPerSec });
} catch (err) {
  post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
}
