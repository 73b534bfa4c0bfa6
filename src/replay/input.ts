// Opens an event file for replay as a stream of ReplayItems (events, or records that could
// not be read, which replay counts and reports instead of stopping).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { EVENT_KINDS } from '../events/types.ts';
import type { AnyEvent } from '../events/types.ts';
import type { ReplayItem } from './replay.ts';

export async function* openInput(file: string): AsyncGenerator<ReplayItem> {
  if (/\.(jsonl|ndjson)$/.test(file)) {
    let line = 0;
    for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      line++;
      if (text.trim() === '') continue;
      try {
        const e = JSON.parse(text) as AnyEvent;
        if (!(EVENT_KINDS as readonly string[]).includes(e.kind)) throw new Error(`unknown kind '${String(e.kind)}'`);
        yield { event: e };
      } catch (err) {
        yield { error: { code: 'CEP_ERR_INPUT_JSON', message: `${file}:${line}: ${err instanceof Error ? err.message : String(err)}` } };
      }
    }
    return;
  }
  throw new Error(`CEP_ERR_INPUT_FORMAT: cannot read ${file}; use .avro or .jsonl`);
}
