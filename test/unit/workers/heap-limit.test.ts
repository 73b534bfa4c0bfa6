// A shard thread that reaches its heap limit (piscina's resourceLimits) is stopped by V8 and
// its task fails with a coded error saying what to change, not a bare worker error; the
// process lives on (the service restores its last checkpoint). Other failures pass unchanged.
import { describe, expect, it } from 'vitest';
import { CepError } from '../../../src/core/errors.ts';
import { WorkerShards, heapLimitError } from '../../../src/workers/shard-pool.ts';
import type { ShardTask } from '../../../src/workers/protocol.ts';

const init: ShardTask = { op: 'init', shard: 0, shards: 1, rules: [], engine: {}, kindsByTopic: [], streams: [], schemas: [], restore: [], watermark: -Infinity };

describe('shard heap limit', () => {
  it('fails the task with CEP_ERR_HEAP_LIMIT when the thread runs out of heap (8 MiB: too small to load the rules)', async () => {
    const shards = new WorkerShards(1, 8);
    try {
      const err = await shards.run(0, init).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(CepError);
      expect([(err as CepError).code, (err as CepError).message, ((err as Error).cause as { code?: string }).code]).toEqual([
        'CEP_ERR_HEAP_LIMIT',
        'CEP_ERR_HEAP_LIMIT: shard 0 reached its heap limit of 8 MiB and was stopped (its state is lost: the service restores the last checkpoint); raise engine.heapLimitMb, or lower engine.maxKeys',
        'ERR_WORKER_OUT_OF_MEMORY',
      ]);
    } finally {
      await shards.close();
    }
  }, 30_000);

  it('leaves every other error as it is', () => {
    const other = Object.assign(new Error('boom'), { code: 'ERR_OTHER' });
    expect([heapLimitError(other, 0, 100), heapLimitError('text', 1, undefined)]).toEqual([other, 'text']);
    expect((heapLimitError({ code: 'ERR_WORKER_OUT_OF_MEMORY' }, 2, undefined) as CepError).message).toBe(
      'CEP_ERR_HEAP_LIMIT: shard 2 reached its heap limit and was stopped (its state is lost: the service restores the last checkpoint); raise engine.heapLimitMb, or lower engine.maxKeys',
    );
  });
});
