// Where shards run: piscina worker threads with strict affinity (the service, the bench), or
// in-process handlers (tests, single-thread runs). Both run the same shard handler.
//
// Piscina is a task pool: by default it sends a task to the least busy thread and retires idle
// ones. Shards hold state, so each shard is its own single-thread pool living as long as the
// backend (min = max = 1 thread, no idle timeout). A thread that dies takes its state with
// it: its tasks then fail and the driver (rounds.ts) fails, and the service restores every
// shard from its last checkpoint; nothing is silently lost.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { AnyRule } from '../core/rule-types.ts';
import { transferablesOf } from './record-pack.ts';
import type { ShardResult, ShardTask } from './protocol.ts';
import { createShardHandler } from './shard-handler.ts';
import type { ShardHandler } from './shard-handler.ts';
import { CepError } from '../core/errors.ts';
import { SHARD_YOUNG_MB } from '../config/heap-limits.ts';

export interface ShardBackend {
  readonly shards: number;
  /** Runs one task on one shard. The caller keeps each shard's tasks in order. */
  run(shard: number, task: ShardTask): Promise<ShardResult>;
  close(): Promise<void>;
}

/**
 * Default shard count: one per core but one, which the main thread needs for the Kafka
 * client (on 2 cores, 1 shard took 500 000 events through Kafka in 6.4 s, 2 shards in 9.1 s).
 */
export const defaultShards = (): number => Math.max(1, availableParallelism() - 1);

/** A shard thread stopped by V8 at its heap limit, as a coded error saying what to change; other errors unchanged. */
export function heapLimitError(err: unknown, shard: number, heapLimitMb: number | undefined): unknown {
  if ((err as { code?: unknown } | null)?.code !== 'ERR_WORKER_OUT_OF_MEMORY') return err;
  const limit = heapLimitMb === undefined ? 'its heap limit' : `its heap limit of ${heapLimitMb} MiB`;
  return new CepError('CEP_ERR_HEAP_LIMIT', `shard ${shard} reached ${limit} and was stopped (its state is lost: the service restores the last checkpoint); raise engine.heapLimitMb, or lower engine.maxKeys`, [], { cause: err });
}

export class WorkerShards implements ShardBackend {
  readonly shards: number;
  /** Each shard thread's old-generation limit in MiB, with a young generation of SHARD_YOUNG_MB (undefined: V8's, from node's flags). */
  readonly heapLimitMb: number | undefined;
  private readonly pools: Piscina[];

  constructor(shards: number = defaultShards(), heapLimitMb?: number) {
    this.shards = shards;
    this.heapLimitMb = heapLimitMb;
    const filename = new URL('./shard-worker.ts', import.meta.url).href;
    this.pools = Array.from({ length: shards }, () => new Piscina({
      filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.MAX_SAFE_INTEGER, concurrentTasksPerWorker: 1, maxQueue: 'auto',
      ...(heapLimitMb === undefined ? {} : { resourceLimits: { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: SHARD_YOUNG_MB } }),
    }));
  }

  run(shard: number, task: ShardTask): Promise<ShardResult> {
    const pool = this.pools[shard];
    if (pool === undefined) return Promise.reject(new CepError('CEP_ERR_SHARD', `no shard ${shard}`));
    return (pool.run(task, { transferList: transferablesOf(task) }) as Promise<ShardResult>).catch((err: unknown) => {
      throw heapLimitError(err, shard, this.heapLimitMb);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.destroy()));
  }
}

export class InProcessShards implements ShardBackend {
  readonly shards: number;
  private readonly handlers: ShardHandler[];

  /** `rules`, when given, are used instead of loading the init task's rule specs. */
  constructor(shards: number, rules?: readonly AnyRule[]) {
    this.shards = shards;
    this.handlers = Array.from({ length: shards }, () => createShardHandler(rules));
  }

  run(shard: number, task: ShardTask): Promise<ShardResult> {
    const h = this.handlers[shard];
    if (h === undefined) return Promise.reject(new CepError('CEP_ERR_SHARD', `no shard ${shard}`));
    return h(task);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
