// The one entry point for reading event files: picks the format by extension and yields, in
// file order, `{ event }` for every good record and `{ error }` for every bad one (with a
// CEP_ERR_INPUT_... code, the line / record number and the field). Whole-file failures
// (cannot open, unknown extension, not Avro, incompatible writer schema) throw a CepError.
import type { AnyEvent } from '../events/types.ts';
import { readAvroEvents } from './avro-reader.ts';
import type { ReadItem } from './avro-reader.ts';
import { formatOf } from './event-writer.ts';
import { CepError } from '../core/errors.ts';
import { readJsonlEvents } from './jsonl-reader.ts';

export type { ReadItem } from './avro-reader.ts';

/** Events and per-record errors of a `.avro`, `.jsonl` or `.ndjson` file, in file order. */
export function readEvents(path: string): AsyncGenerator<ReadItem> {
  const format = formatOf(path);
  switch (format) {
    case 'avro':
      return readAvroEvents(path);
    case 'jsonl':
      return readJsonlEvents(path);
    default: {
      const never: never = format;
      throw new Error(`unreachable format ${String(never)}`);
    }
  }
}

/** Events only; throws the first per-record error as a CepError (for tools and tests that
 *  want a clean file or nothing). */
export async function* readEventsStrict(path: string): AsyncGenerator<AnyEvent> {
  for await (const item of readEvents(path)) {
    if ('error' in item) throw new CepError(item.error.code, item.error.message.slice(item.error.code.length + 2));
    yield item.event;
  }
}
