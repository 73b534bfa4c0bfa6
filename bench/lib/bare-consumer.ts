// The floor under the service's through-Kafka figure: a bare kafkajs consumer reading the same
// pre-produced input topics in the same bench run, with the settings the service's consumer
// uses (read_committed, eachBatch, no auto commit, 100 ms max wait), doing nothing with a
// record but count it. The service's events/s over this one's is the figure of merit for the
// engine's cost next to the client's I/O (issue 17, target 3): 1.0 would mean the engine,
// decode, commits and checkpoints are free.
import type { Kafka } from 'kafkajs';
import { cpuSample, cpuSplit } from './cpu-split.ts';
import type { CpuSplit } from './cpu-split.ts';

export interface BareConsumerResult {
  readonly records: number;
  /** From the first fetch asked (group joined) to the last record counted. */
  readonly wallMs: number;
  readonly eventsPerSec: number;
  /** Join and first assignment: not in wallMs. */
  readonly joinMs: number;
  readonly cpu: CpuSplit;
}

/**
 * Reads `topics` from the beginning in a fresh group until `records` records were counted (or
 * `timeoutMs` passed: then it throws, saying how far it got).
 */
export async function bareConsumer(kafka: Kafka, topics: readonly string[], records: number, groupId: string, timeoutMs = 300_000): Promise<BareConsumerResult> {
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100, sessionTimeout: 30_000, heartbeatInterval: 3000 });
  const t0 = performance.now();
  let counted = 0;
  let tFirst = 0;
  let cpuFirst: ReturnType<typeof cpuSample> | undefined;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (cpuFirst !== undefined) return;
    tFirst = performance.now();
    cpuFirst = cpuSample();
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch }) => {
        counted += batch.messages.length;
        if (counted >= records) done();
        await Promise.resolve();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`bare consumer: ${counted} of ${records} records within ${timeoutMs} ms`)), timeoutMs);
    });
    await Promise.race([finished, timeout]).finally(() => clearTimeout(timer));
    const end = cpuSample();
    const wallMs = Math.round(performance.now() - tFirst);
    return {
      records: counted, wallMs, eventsPerSec: Math.round(counted / (wallMs / 1000)), joinMs: Math.round(tFirst - t0),
      cpu: cpuSplit(cpuFirst ?? end, end),
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
