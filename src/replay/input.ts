// Opens an event file for replay: the file readers of src/io yield `{ event }` or `{ error }`
// per record, which is exactly what replay consumes (bad records are counted, not fatal).
import { readEvents } from '../io/read-events.ts';
import type { ReplayItem } from './replay.ts';

export function openInput(file: string): AsyncIterable<ReplayItem> {
  return readEvents(file);
}
