// Shard workers with strict affinity: one single-thread piscina pool per shard, living as
// long as the pool (min = max = 1 thread, no idle timeout), so a shard's state is never
// moved or shared. Batches go to every shard (each decodes all, owns its keys); up to
// `maxInFlight` batches per shard are outstanding, then send() waits (backpressure).
// Order matters (a batch run early makes the next one late), and piscina may hand a new
// task to a worker that just became idle before the tasks already queued, so each shard's
// tasks are chained: the next is submitted when the previous one finished.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { EngineOptions } from '../core/engine.ts';
import { packBatch } from './protocol.ts';
import type { ShardResult, ShardTask } from './protocol.ts';

export interface ShardPoolOptions {
  readonly shards?: number;
  readonly rules?: readonly string[];
  readonly engine?: Partial<Omit<EngineOptions, 'owns'>>;
  readonly maxInFlight?: number;
}

export class ShardPool {
  readonly shards: number;
  private readonly pools: Piscina[];
  private readonly inFlight: Promise<ShardResult>[][];
  private readonly tails: Promise<unknown>[];
  private readonly maxInFlight: number;
  private readonly results: ShardResult[] = [];

  private constructor(shards: number, maxInFlight: number) {
    this.shards = shards;
    this.maxInFlight = maxInFlight;
    const filename = new URL('./shard-worker.ts', import.meta.url).href;
    this.pools = Array.from({ length: shards }, () => new Piscina({ filename, minThreads: 1, maxThreads: 1, idleTimeout: Number.MAX_SAFE_INTEGER, concurrentTasksPerWorker: 1 }));
    this.inFlight = this.pools.map(() => []);
    this.tails = this.pools.map(() => Promise.resolve());
  }

  static async start(o: ShardPoolOptions = {}): Promise<ShardPool> {
    const shards = o.shards ?? Math.max(1, availableParallelism());
    const pool = new ShardPool(shards, o.maxInFlight ?? 4);
    await Promise.all(pool.pools.map((p, shard) => p.run({ op: 'init', shard, shards, rules: o.rules ?? [], engine: o.engine ?? {} } satisfies ShardTask)));
    return pool;
  }

  /** Sends one batch of framed values to every shard; waits when a shard has too many in flight. */
  async send(values: readonly Uint8Array[]): Promise<void> {
    for (let s = 0; s < this.shards; s++) {
      const q = this.inFlight[s] as Promise<ShardResult>[];
      while (q.length >= this.maxInFlight) this.results.push(await (q.shift() as Promise<ShardResult>));
      const { bytes, ends } = packBatch(values);
      const task: ShardTask = { op: 'batch', bytes, ends };
      const pool = this.pools[s] as Piscina;
      const run = (this.tails[s] as Promise<unknown>).then(() => pool.run(task, { transferList: [bytes, ends.buffer as ArrayBuffer] }) as Promise<ShardResult>);
      this.tails[s] = run;
      q.push(run);
    }
  }

  /** Waits for every batch, flushes every shard, and returns all results since the last drain. */
  async finish(): Promise<ShardResult[]> {
    for (const q of this.inFlight) while (q.length > 0) this.results.push(await (q.shift() as Promise<ShardResult>));
    const flushed = await Promise.all(this.pools.map((p) => p.run({ op: 'flush' } satisfies ShardTask) as Promise<ShardResult>));
    return [...this.results.splice(0), ...flushed];
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.map((p) => p.destroy()));
  }
}
