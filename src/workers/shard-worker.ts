// A shard worker thread (piscina): one shard handler per thread, for the thread's whole life.
// Results go back with their buffers in the transfer list (forwards, snapshots), not copied.
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { transferablesOf } from './record-pack.ts';
import type { ShardResult, ShardTask } from './protocol.ts';
import { createShardHandler } from './shard-handler.ts';

const handle = createShardHandler();

export default async function task(t: ShardTask): Promise<ShardResult> {
  const result = await handle(t);
  const transfer = transferablesOf(result);
  if (transfer.length === 0) return result;
  return move({ [transferableSymbol]: transfer, [valueSymbol]: result }) as unknown as ShardResult;
}
