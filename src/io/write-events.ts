// Writes a stream of events to a file whose extension picks the format (see event-writer.ts).
import type { AnyEvent } from '../events/types.ts';
import { createAvroWriter } from './avro-writer.ts';
import type { AvroWriterOptions } from './avro-writer.ts';
import { formatOf } from './event-writer.ts';
import type { EventFileFormat, EventWriter, WriteResult } from './event-writer.ts';
import { createJsonlWriter } from './jsonl-writer.ts';

export interface WriteEventsOptions {
  /** Overrides the format implied by the extension. */
  readonly format?: EventFileFormat;
  readonly avro?: AvroWriterOptions;
}

export function createEventWriter(path: string, options: WriteEventsOptions = {}): EventWriter {
  const format = options.format ?? formatOf(path);
  switch (format) {
    case 'avro':
      return createAvroWriter(path, options.avro);
    case 'jsonl':
      return createJsonlWriter(path);
    default: {
      const never: never = format;
      throw new Error(`unreachable format ${String(never)}`);
    }
  }
}

/** Writes every event (sync or async iterable) and closes the file. */
export async function writeEvents(path: string, events: Iterable<AnyEvent> | AsyncIterable<AnyEvent>, options: WriteEventsOptions = {}): Promise<WriteResult> {
  const w = createEventWriter(path, options);
  for await (const e of events) {
    const wait = w.write(e);
    if (wait !== undefined) await wait;
  }
  return w.close();
}
