// An init replaces a shard's engine whole: the old one is dropped before the checkpoint is
// decoded (so its state and the restored one are never in the heap together), and an init that
// fails leaves no engine behind to serve the next task with state of before the restore.
import { describe, expect, it } from 'vitest';
import { EVENT_KINDS } from '../../../src/events/types.ts';
import type { InitTask } from '../../../src/workers/protocol.ts';
import { createShardHandler } from '../../../src/workers/shard-handler.ts';

const init = (restore: readonly Uint8Array[]): InitTask => ({
  op: 'init', shard: 0, shards: 1, rules: ['brute-force'], engine: { outOfOrdernessMs: 5000 }, kindsByTopic: [['in', EVENT_KINDS]],
  streams: [{ topic: 'in', partition: 0, format: 'confluent', schemaId: 0, maxTs: -Infinity, active: true }],
  schemas: [], restore, watermark: -Infinity,
});

describe('shard init', () => {
  it('starts an engine, and a failed restore leaves none: the next task is refused, not served from the old state', async () => {
    const handle = createShardHandler();
    expect(await handle(init([]))).toEqual({ op: 'init', keys: 0 });
    expect(await handle({ op: 'info' })).toMatchObject({ op: 'info' });
    await expect(handle(init([Uint8Array.from([1, 2, 3])]))).rejects.toThrow();
    await expect(handle({ op: 'info' })).rejects.toThrow('CEP_ERR_SHARD_NOT_INITIALISED');
    expect(await handle(init([]))).toEqual({ op: 'init', keys: 0 });
  });
});
