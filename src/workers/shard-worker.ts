// A shard worker: owns the keys that hash to its shard, in every key space, with its own
// engine. It decodes every event of a batch (so its watermark is the same as a single
// engine's) and processes only the keys it owns, so a key's state lives in exactly one shard
// and the alerts are those of one engine, whatever the shard count.
import { createEngine } from '../core/engine.ts';
import type { Engine } from '../core/engine.ts';
import type { Alert } from '../core/alert.ts';
import type { AnyEvent } from '../events/types.ts';
import { EVENT_KINDS } from '../events/types.ts';
import { decodeConfluentValue } from '../io/confluent-frame.ts';
import { loadRules } from '../rules/load-rules.ts';
import { shardOf } from './protocol.ts';
import type { ShardResult, ShardTask } from './protocol.ts';

let engine: Engine | undefined;
const kindOf = (id: number) => EVENT_KINDS[id - 1];

function collect(out: Alert[]): void {
  for (const f of (engine as Engine).drain()) if (f.kind === 'alert') out.push(f.alert);
}

export default async function task(t: ShardTask): Promise<ShardResult> {
  const started = performance.now();
  const alerts: Alert[] = [];
  switch (t.op) {
    case 'init': {
      const rules = (await loadRules(t.rules)).map((l) => l.rule);
      engine = createEngine(rules, { ...t.engine, owns: (_space, key) => shardOf(key, t.shards) === t.shard });
      return { events: 0, decodeErrors: 0, alerts, micros: 0 };
    }
    case 'batch': {
      if (engine === undefined) throw new Error('CEP_ERR_SHARD_NOT_INITIALISED: send an init task first');
      const buf = Buffer.from(t.bytes);
      let from = 0;
      let errors = 0;
      for (let i = 0; i < t.ends.length; i++) {
        const end = t.ends[i] as number;
        const e = decodeConfluentValue(buf.subarray(from, end), kindOf);
        from = end;
        if ('code' in e) errors++;
        else engine.push(e as AnyEvent);
      }
      collect(alerts);
      return { events: t.ends.length, decodeErrors: errors, alerts, micros: Math.round((performance.now() - started) * 1000) };
    }
    case 'flush': {
      if (engine === undefined) throw new Error('CEP_ERR_SHARD_NOT_INITIALISED: send an init task first');
      engine.flush();
      collect(alerts);
      return { events: 0, decodeErrors: 0, alerts, micros: Math.round((performance.now() - started) * 1000) };
    }
    default: {
      const never: never = t;
      throw new Error(`unknown task ${JSON.stringify(never)}`);
    }
  }
}
