// A producer at a fixed offered rate on its own thread, so that encoding and sending the
// load does not queue up behind the service's work on the main event loop (as a producer in
// another process would not). The fixture is generated before the clock starts. It reports,
// batch by batch, each event's send time (wall ms, epoch, sub-ms: taken as produceEvents
// stamps the record, so it is also the Kafka record timestamp the service's own end-to-end
// latency starts from), event time and input stream (topic x partition, as the producer's
// key partitioner picks it).
import { Worker } from 'node:worker_threads';
import type { InputTopic } from '../../src/config/inputs.ts';
import { SendLog } from './event-time-floor.ts';
import type { KafkaTarget } from './kafka-env.ts';
import { CepError } from '../../src/core/errors.ts';

export interface PacedJob {
  readonly target: KafkaTarget;
  readonly topics: readonly InputTopic[];
  /** Partitions of every input topic: stream = topic index x partitions + partition. */
  readonly partitions: number;
  readonly seed: number;
  readonly events: number;
  readonly accounts: number;
  readonly positives: number;
  /** Events per second. */
  readonly rate: number;
  readonly batchSize: number;
}

/** Messages from the producer thread. */
export type PacedMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'sent'; readonly ids: readonly string[]; readonly at: Float64Array; readonly ts: Float64Array; readonly stream: Uint8Array }
  | { readonly type: 'done'; readonly events: number; readonly ms: number; readonly eventsPerSec: number }
  | { readonly type: 'error'; readonly message: string };

export interface PacedProducer {
  /** Filled as batches are acknowledged. */
  readonly sent: SendLog;
  /** Resolves once the fixture is generated, just before the first send. */
  readonly ready: Promise<void>;
  readonly done: Promise<{ readonly events: number; readonly ms: number; readonly eventsPerSec: number }>;
  /** Ends the thread (idempotent); what was sent stays sent. */
  stop(): Promise<void>;
}

/** Wall clock in epoch ms with sub-ms resolution, comparable across threads. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export function startPacedProducer(job: PacedJob): PacedProducer {
  const worker = new Worker(new URL('./paced-producer-worker.ts', import.meta.url), { workerData: job, name: 'bench-producer' });
  const sent = new SendLog();
  let finished = false;
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const done = new Promise<{ events: number; ms: number; eventsPerSec: number }>((resolve, reject) => {
    worker.on('message', (m: PacedMessage) => {
      switch (m.type) {
        case 'ready':
          onReady();
          break;
        case 'sent':
          sent.add(m.ids, m.at, m.ts, m.stream);
          break;
        case 'done':
          finished = true;
          resolve({ events: m.events, ms: m.ms, eventsPerSec: m.eventsPerSec });
          break;
        case 'error':
          finished = true;
          reject(new CepError('CEP_ERR_BENCH_PRODUCER', `${m.message}`));
          break;
        default: {
          const never: never = m;
          throw new Error(`unknown producer message ${JSON.stringify(never)}`);
        }
      }
    });
    worker.once('error', (err) => reject(err));
    worker.once('exit', (code) => {
      if (!finished) reject(new CepError('CEP_ERR_BENCH_PRODUCER', `the producer thread exited (code ${code}) before it finished`));
    });
  });
  // A failure before the first send ends the wait for `ready` too.
  done.then(onReady, onReady);
  return {
    sent, ready, done,
    stop: async () => {
      await worker.terminate();
    },
  };
}
